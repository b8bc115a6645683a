import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [1, 1, 1], "small": True},
        {"args": [1, 9, 10], "small": True},
        {"args": [10, 99, 3], "small": True},
        {"args": [11, 11, 2], "small": True},
        {"args": [1, 5000, 100], "small": True},
        {"args": [999, 1001, 1], "small": True},
        {"args": [10**18, 10**18, 1], "small": True},
        {"args": [10**18 - 300, 10**18, 4], "small": True},
    ]
    for _ in range(30):
        lo = rng.randint(1, 4000)
        hi = lo + rng.randint(0, 3000)
        cases.append({"args": [lo, hi, rng.randint(1, 100)], "small": True})
    for _ in range(8):
        digits = rng.randint(7, 17)
        lo = rng.randint(1, 10**digits)
        hi = rng.randint(lo, 10 ** (digits + 1))
        cases.append({"args": [lo, hi, rng.randint(1, 100)], "small": False})
    # Maximum size: the whole range, and ranges whose bounds stutter early or late.
    cases.append({"args": [1, 10**18, 1], "small": False})
    cases.append({"args": [1, 10**18, 100], "small": False})
    cases.append({"args": [1, 987654321098765432, 9], "small": False})
    cases.append({"args": [123456789, 999999999999999999, 13], "small": False})
    cases.append({"args": [rng.randint(1, 10**9), rng.randint(10**17, 10**18), rng.randint(1, 100)], "small": False})
    return cases
