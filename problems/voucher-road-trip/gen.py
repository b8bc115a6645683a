import random


def _graph(rng, n, m, tmax, connected):
    roads = []
    if connected:  # a random spanning tree first, then extra roads
        perm = rng.sample(range(n), n)
        for i in range(1, n):
            roads.append([perm[rng.randrange(i)], perm[i], rng.randint(1, tmax)])
    while len(roads) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            roads.append([a, b, rng.randint(1, tmax)])
    rng.shuffle(roads)
    return roads


def _long_chain(rng, n, k):
    """A cheap long path plus expensive shortcuts: many states get settled before the target."""
    roads = [[i, i + 1, rng.randint(1, 3)] for i in range(n - 1)]
    for _ in range(n):
        a = rng.randrange(n - 1)
        b = rng.randrange(a + 1, n)
        roads.append([a, b, rng.randint(10**5, 10**6)])
    rng.shuffle(roads)
    return [n, roads, k]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [2, [], 0], "small": True},
        {"args": [2, [[0, 1, 1]], 1], "small": True},
        {"args": [2, [[1, 0, 5], [0, 1, 9]], 0], "small": True},
        {"args": [3, [[0, 1, 4], [1, 0, 4]], 3], "small": True},
        {"args": [4, [[0, 1, 1], [1, 2, 1], [2, 3, 1]], 8], "small": True},
    ]
    for _ in range(35):
        n = rng.randint(2, 7)
        m = rng.randint(0, 10)
        k = rng.randint(0, 3)
        cases.append({"args": [n, _graph(rng, n, m, rng.choice([3, 20, 1000]), rng.random() < 0.7), k], "small": True})
    for _ in range(10):
        n = rng.randint(50, 800)
        m = rng.randint(n, 3 * n)
        cases.append({"args": [n, _graph(rng, n, m, 10**6, rng.random() < 0.8), rng.randint(0, 8)], "small": False})
    cases.append({"args": [5000, _graph(rng, 5000, 10000, 10**6, True), 8], "small": False})
    cases.append({"args": [5000, _graph(rng, 5000, 10000, 10, True), 8], "small": False})
    cases.append({"args": _long_chain(rng, 5000, 8), "small": False})
    # the target is isolated: every state is explored before answering -1
    cases.append({"args": [5000, _graph(rng, 4999, 10000, 10**6, True), 8], "small": False})
    return cases
