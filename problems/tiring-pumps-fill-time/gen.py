import random


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], 1], "small": True},
        {"args": [[100], 1], "small": True},
        {"args": [[100], 12], "small": True},
        {"args": [[7, 7, 7, 7], 9], "small": True},
        {"args": [[1] * 30, 30], "small": True},
        {"args": [[1] * 30, 31], "small": True},
        {"args": [[100], 10 ** 6], "small": False},
        {"args": [[1] * 10 ** 4, 10 ** 6], "small": False},
    ]
    for _ in range(30):
        n = rng.randint(1, 8)
        cases.append({"args": [[rng.randint(1, rng.choice([3, 20, 100])) for _ in range(n)], rng.randint(1, 25)], "small": True})
    for _ in range(8):
        n = rng.randint(10, 2000)
        cases.append({"args": [[rng.randint(1, 100) for _ in range(n)], rng.randint(1, 10 ** 6)], "small": False})
    n = 10 ** 4
    cases.append({"args": [[rng.randint(1, 100) for _ in range(n)], 10 ** 6], "small": False})
    cases.append({"args": [[rng.randint(90, 100) for _ in range(n)], rng.randint(9 * 10 ** 5, 10 ** 6)], "small": False})
    cases.append({"args": [[rng.choice([1, 100]) for _ in range(n)], 10 ** 6 - 1], "small": False})
    cases.append({"args": [[rng.randint(1, 100) for _ in range(n)], 1], "small": False})
    return cases
