import random


def _case(rng, n, m, q, hmax, low_levels=False):
    bridges = []
    if n > 1:
        perm = rng.sample(range(n), n)
        for i in range(1, min(n, m + 1)):  # a spanning-tree backbone, so low water joins everything
            bridges.append([perm[rng.randrange(i)], perm[i], rng.randint(1, hmax)])
    while len(bridges) < m and n > 1:
        a, b = rng.sample(range(n), 2)
        bridges.append([a, b, rng.randint(1, hmax)])
    rng.shuffle(bridges)
    top = hmax // 10 if low_levels else hmax + 1
    queries = [[rng.randrange(n), rng.randint(0, top)] for _ in range(q)]
    return [n, bridges, queries]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [1, [], [[0, 0], [0, 10**9]]], "small": True},
        {"args": [2, [[0, 1, 1]], [[0, 0], [1, 1], [1, 0]]], "small": True},
        {"args": [2, [[0, 1, 10**9]], [[0, 10**9 - 1], [0, 10**9]]], "small": True},
        {"args": [3, [[0, 1, 4], [1, 2, 4], [0, 2, 4]], [[2, 3], [2, 4], [0, 3]]], "small": True},
        {"args": [4, [[0, 1, 7], [0, 1, 3], [2, 3, 7]], [[1, 5], [3, 6], [3, 7], [0, 2]]], "small": True},
    ]
    for _ in range(35):
        n = rng.randint(1, 9)
        cases.append({"args": _case(rng, n, rng.randint(0, 12), rng.randint(1, 8), rng.choice([3, 10, 10**9])), "small": True})
    for _ in range(10):
        n = rng.randint(100, 800)
        cases.append({"args": _case(rng, n, rng.randint(n // 2, 2 * n), rng.randint(100, 800), rng.choice([50, 10**9])), "small": False})
    # maximum size: low water (huge components, every search walks the whole map) and mixed levels
    cases.append({"args": _case(rng, 10000, 10000, 10000, 10**9, low_levels=True), "small": False})
    cases.append({"args": _case(rng, 10000, 10000, 10000, 100, low_levels=True), "small": False})
    cases.append({"args": _case(rng, 10000, 10000, 10000, 10**9), "small": False})
    return cases
