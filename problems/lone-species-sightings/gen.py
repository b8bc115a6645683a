import random


def _case(rng: random.Random, n: int, species: int, q: int, wide: bool) -> list:
    sightings = [rng.randint(1, species) for _ in range(n)]
    queries = []
    for _ in range(q):
        if wide:
            l = rng.randrange(0, max(1, n // 10))
            r = rng.randrange(min(n - 1, l + n * 8 // 10), n)
        else:
            l = rng.randrange(n)
            r = rng.randrange(l, n)
        queries.append([l, r])
    return [sightings, queries]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], [[0, 0]]], "small": True},
        {"args": [[100000, 100000], [[0, 1], [0, 0], [1, 1]]], "small": True},
        {"args": [[1, 2, 1, 2, 1, 2], [[0, 5], [1, 4], [2, 3], [0, 2]]], "small": True},
        {"args": [[5] * 9, [[i, j] for i in range(9) for j in range(i, 9)]], "small": True},
    ]
    for _ in range(32):
        n = rng.randint(1, 20)
        cases.append({"args": _case(rng, n, rng.randint(1, max(1, n)), rng.randint(1, 25), rng.random() < 0.3), "small": True})
    for _ in range(11):
        n = rng.randint(200, 2000)
        cases.append({"args": _case(rng, n, rng.choice([3, 50, n, 10 ** 5]), rng.randint(200, 2000), rng.random() < 0.5), "small": False})
    # Maximum size: wide stretches make a per-query recount cost about 10^4 steps each.
    n = 15000
    cases.append({"args": _case(rng, n, 9000, n, True), "small": False})
    cases.append({"args": _case(rng, n, 3000, n, True), "small": False})
    cases.append({"args": _case(rng, n, 10 ** 5, n, False), "small": False})
    return cases
