import random


def _loads(rng: random.Random, n: int, shape: str, top: int) -> list:
    if shape == "falling":
        return sorted((rng.randint(1, top) for _ in range(n)), reverse=True)
    if shape == "rising":
        return sorted(rng.randint(1, top) for _ in range(n))
    if shape == "saw":
        return [top - (i % 50) * (top // 60) if top >= 60 else rng.randint(1, top) for i in range(n)]
    return [rng.randint(1, top) for _ in range(n)]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], 1], "small": True},
        {"args": [[10 ** 4], 1], "small": True},
        {"args": [[7, 7, 7, 7], 2], "small": True},
        {"args": [[1, 2, 3, 4, 5, 6], 6], "small": True},
        {"args": [[6, 5, 4, 3, 2, 1], 1], "small": True},
        {"args": [[1, 10 ** 4, 1, 1, 10 ** 4, 1, 1], 3], "small": True},
    ]
    shapes = ["random", "falling", "rising", "saw"]
    for _ in range(30):
        n = rng.randint(1, 12)
        cases.append({"args": [_loads(rng, n, rng.choice(shapes), rng.choice([3, 20, 10 ** 4])), rng.randint(1, n)], "small": True})
    for _ in range(10):
        n = rng.randint(200, 3000)
        cases.append({"args": [_loads(rng, n, rng.choice(shapes), rng.choice([5, 10 ** 4])), rng.choice([1, n, rng.randint(1, n)])], "small": False})
    # Maximum size with a long window: trying every last-convoy length costs n * k ~ 10^9 steps.
    n = 4 * 10 ** 4
    cases.append({"args": [_loads(rng, n, "random", 10 ** 4), n // 2], "small": False})
    cases.append({"args": [_loads(rng, n, "falling", 10 ** 4), n], "small": False})
    cases.append({"args": [_loads(rng, n, "saw", 10 ** 4), 15000], "small": False})
    cases.append({"args": [_loads(rng, n, "rising", 10 ** 4), 30000], "small": False})
    return cases
