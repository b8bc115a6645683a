import random


def _case(rng, n, m, cmax, chain=False):
    """A spanning backbone (a long cheap path when `chain`, else a random tree) plus extra cables."""
    perm = rng.sample(range(n), n)
    cables = []
    for i in range(1, n):
        if chain:
            cables.append([perm[i - 1], perm[i], rng.randint(1, cmax // 2)])
        else:
            cables.append([perm[rng.randrange(i)], perm[i], rng.randint(1, cmax)])
    while len(cables) < m:
        if chain:  # link the two far ends of the path: its walk from a to b is long
            a, b = perm[rng.randrange(n // 3 + 1)], perm[n - 1 - rng.randrange(n // 3 + 1)]
        else:
            a, b = rng.sample(range(n), 2)
        if a != b:
            cables.append([a, b, rng.randint(cmax // 2 + 1 if chain else 1, cmax)])
    rng.shuffle(cables)
    return [n, cables]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [2, [[0, 1, 1]]], "small": True},
        {"args": [2, [[1, 0, 3], [0, 1, 3], [0, 1, 1]]], "small": True},
        {"args": [3, [[0, 1, 5], [1, 2, 5], [2, 0, 5]]], "small": True},
        {"args": [4, [[0, 1, 1], [1, 2, 1], [2, 3, 1], [3, 0, 10**6]]], "small": True},
    ]
    for _ in range(36):
        n = rng.randint(2, 7)
        cases.append({"args": _case(rng, n, rng.randint(n - 1, 12), rng.choice([2, 5, 100]), rng.random() < 0.3), "small": True})
    for _ in range(10):
        n = rng.randint(50, 400)
        cases.append({"args": _case(rng, n, rng.randint(n - 1, 2 * n), rng.choice([10, 10**6]), rng.random() < 0.4), "small": False})
    # maximum size: the MST is one long path (deep tree) and the other cables span most of it
    cases.append({"args": _case(rng, 5000, 15000, 10**6, chain=True), "small": False})
    cases.append({"args": _case(rng, 6000, 15000, 1000, chain=True), "small": False})
    cases.append({"args": _case(rng, 8000, 12000, 10**6), "small": False})
    return cases
