import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], 0], "small": True},
        {"args": [[1000], 10**12], "small": True},
        {"args": [[1] * 10, 0], "small": True},
        {"args": [[1000] * 10, 10**12], "small": True},
        {"args": [[1, 1000] * 5, 2000], "small": True},
    ]
    for _ in range(33):
        n = rng.randint(1, 11)
        top = rng.choice([3, 50, 1000])
        fee = rng.choice([0, rng.randint(0, 100), rng.randint(0, 10**6), rng.randint(0, 10**12)])
        cases.append({"args": [[rng.randint(1, top) for _ in range(n)], fee], "small": True})
    for _ in range(8):
        n = rng.randint(100, 5000)
        cases.append({"args": [[rng.randint(1, 1000) for _ in range(n)], rng.randint(0, 10**9)], "small": False})
    # Maximum size, with fees chosen so that crossings stay short, medium or long.
    n = 5 * 10**4
    for fee in (10**6, 10**9, 10**12):
        cases.append({"args": [[rng.randint(1, 1000) for _ in range(n)], fee], "small": False})
    cases.append({"args": [[rng.choice([1, 1000]) for _ in range(n)], 10**7], "small": False})
    return cases
