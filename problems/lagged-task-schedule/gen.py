import random


def _dag(rng, n, m, dmax, lmax, cyclic=False):
    """Rules go forward in a hidden random order (a DAG); `cyclic` adds one backward rule."""
    order = rng.sample(range(n), n)
    rules = []
    if n > 1:
        for _ in range(m):
            i, j = sorted(rng.sample(range(n), 2))
            rules.append([order[i], order[j], rng.randint(0, lmax)])
    if cyclic:
        i = rng.randrange(n)
        j = rng.randrange(i + 1)
        rules.append([order[i], order[j], rng.randint(0, lmax)])
    rng.shuffle(rules)
    return [[rng.randint(1, dmax) for _ in range(n)], rules]


def _chain(rng, n, extra):
    """A long dependency chain: the answer is a sum over thousands of tasks."""
    order = rng.sample(range(n), n)
    rules = [[order[i], order[i + 1], rng.randint(0, 10**5)] for i in range(n - 1)]
    for _ in range(extra):
        i = rng.randrange(n - 1)
        rules.append([order[i], order[rng.randrange(i + 1, n)], rng.randint(0, 10**5)])
    rng.shuffle(rules)
    return [[rng.randint(1, 10**5) for _ in range(n)], rules]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[7], []], "small": True},
        {"args": [[7], [[0, 0, 0]]], "small": True},
        {"args": [[1, 1], [[0, 1, 0], [0, 1, 0]]], "small": True},
        {"args": [[3, 9], [[1, 0, 10**5]]], "small": True},
        {"args": [[2, 2, 2], [[0, 1, 0], [1, 2, 0], [2, 0, 0]]], "small": True},
    ]
    for _ in range(35):
        n = rng.randint(1, 8)
        cases.append({"args": _dag(rng, n, rng.randint(0, 12), rng.choice([1, 10, 10**5]), rng.choice([0, 5, 10**5]), rng.random() < 0.25), "small": True})
    for _ in range(10):
        n = rng.randint(50, 1000)
        cases.append({"args": _dag(rng, n, rng.randint(0, 2 * n), 10**5, 10**5, rng.random() < 0.2), "small": False})
    cases.append({"args": _chain(rng, 10000, 10000), "small": False})
    cases.append({"args": _dag(rng, 10000, 20000, 10**5, 10**5), "small": False})
    cases.append({"args": _dag(rng, 10000, 19999, 10**5, 10**5, cyclic=True), "small": False})
    return cases
