import random


def _noise(rng: random.Random, n: int, top: int) -> list:
    return [rng.randint(1, top) for _ in range(n)]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], 1], "small": True},
        {"args": [[10 ** 4], 1], "small": True},
        {"args": [[3, 3], 2], "small": True},
        {"args": [[3, 3], 3], "small": True},
        {"args": [[1] * 12, 78], "small": True},
        {"args": [[1] * 12, 13], "small": True},
        {"args": [[10 ** 4, 1, 10 ** 4, 1], 5], "small": True},
    ]
    for _ in range(30):
        n = rng.randint(1, 25)
        total = n * (n + 1) // 2
        cases.append({"args": [_noise(rng, n, rng.choice([1, 3, 20, 10 ** 4])), rng.randint(1, total)], "small": True})
    for _ in range(9):
        n = rng.randint(100, 3000)
        total = n * (n + 1) // 2
        cases.append({"args": [_noise(rng, n, rng.choice([2, 100, 10 ** 4])), rng.choice([1, total, rng.randint(1, total)])], "small": False})
    # Maximum size: k around the middle of ~4.5 * 10^8 stretches, far beyond any enumeration.
    n = 3 * 10 ** 4
    total = n * (n + 1) // 2
    cases.append({"args": [_noise(rng, n, 10 ** 4), total // 2], "small": False})
    cases.append({"args": [_noise(rng, n, 3), rng.randint(total // 3, 2 * total // 3)], "small": False})
    cases.append({"args": [[10 ** 4] * n, total - 1], "small": False})
    cases.append({"args": [_noise(rng, n, 10 ** 4), rng.randint(10 ** 8, 2 * 10 ** 8)], "small": False})
    return cases
