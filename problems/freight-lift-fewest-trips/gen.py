import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [[1], 1], "small": True},
        {"args": [[10**9] * 3, 10**9], "small": True},
        {"args": [[1] * 8, 10**9], "small": True},
        {"args": [[4, 4, 4, 3, 3, 3, 2, 2], 10], "small": True},
        {"args": [[3, 3, 3, 3, 2, 2, 2, 2], 5], "small": True},
    ]
    for _ in range(30):
        n = rng.randint(1, 8)
        cap = rng.randint(1, 30)
        cases.append({"args": [[rng.randint(1, cap) for _ in range(n)], cap], "small": True})
    for _ in range(12):
        n = rng.randint(9, 13)
        cap = rng.randint(10**8, 10**9)
        cases.append({"args": [[rng.randint(1, cap // rng.randint(1, 4)) for _ in range(n)], cap], "small": False})
    # Maximum size: many crates fit per trip, so almost every subset is a feasible load
    # (the worst case for submask enumeration) while packings stay tight.
    for k in (3, 4, 5, 6, 8):
        cap = 10**9
        weights = [rng.randint(cap // (k + 1), cap // k) for _ in range(18)]
        cases.append({"args": [weights, cap], "small": False})
    return cases
