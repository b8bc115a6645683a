import random


def _case(rng, n, m, wmax, connected=True):
    roads = []
    if connected:
        perm = rng.sample(range(n), n)
        for i in range(1, n):
            roads.append([perm[rng.randrange(i)], perm[i], rng.randint(1, wmax)])
    while len(roads) < m:
        a, b = rng.sample(range(n), 2)
        roads.append([a, b, rng.randint(1, wmax)])
    rng.shuffle(roads)
    src, dst = rng.sample(range(n), 2)
    return [n, roads, src, dst]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [2, [], 0, 1], "small": True},
        {"args": [2, [[0, 1, 1]], 1, 0], "small": True},
        {"args": [2, [[0, 1, 3], [1, 0, 10**9]], 0, 1], "small": True},
        {"args": [3, [[0, 1, 5], [1, 2, 5]], 0, 2], "small": True},
        {"args": [4, [[0, 1, 9], [2, 3, 9]], 0, 3], "small": True},
    ]
    for _ in range(35):
        n = rng.randint(2, 7)
        cases.append({"args": _case(rng, n, rng.randint(0, 10), rng.choice([3, 10, 10**9]), rng.random() < 0.6), "small": True})
    for _ in range(10):
        n = rng.randint(50, 1000)
        cases.append({"args": _case(rng, n, rng.randint(n, 2 * n), rng.choice([100, 10**9]), rng.random() < 0.8), "small": False})
    cases.append({"args": _case(rng, 10000, 20000, 10**9), "small": False})
    cases.append({"args": _case(rng, 10000, 20000, 10), "small": False})
    cases.append({"args": _case(rng, 10000, 20000, 10**9, connected=False), "small": False})
    return cases
