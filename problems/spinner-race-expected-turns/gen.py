import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [1, 1], "small": True},
        {"args": [300, 1], "small": True},
        {"args": [1, 300], "small": True},
        {"args": [300, 300], "small": True},
        {"args": [299, 300], "small": True},
        {"args": [300, 2], "small": True},
    ]
    for _ in range(32):
        cases.append({"args": [rng.randint(1, 300), rng.randint(1, 300)], "small": True})
    for _ in range(7):
        cases.append({"args": [rng.randint(1000, 2 * 10**5), rng.randint(1, 2 * 10**5)], "small": False})
    n = 2 * 10**5
    for sectors in (1, 2, 1000, 10**5, n):
        cases.append({"args": [n, sectors], "small": False})
    return cases
