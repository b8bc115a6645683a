import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [1, 1, 1], "small": True},
        {"args": [2, 1, 1], "small": True},
        {"args": [1, 6, 1], "small": True},
        {"args": [6, 2, 2], "small": True},
        {"args": [5, 5, 5], "small": True},
        {"args": [4, 6, 5], "small": True},
        {"args": [10**9, 1, 1], "small": False},
        {"args": [10**9, 10**9, 1], "small": False},
        {"args": [1, 10**9, 1], "small": False},
        {"args": [10**5 - 1, 10**9, 10**5], "small": False},
        {"args": [10**5, 10**5, 10**5], "small": False},
    ]
    while len(cases) < 41:
        n, m = rng.randint(1, 7), rng.randint(1, 6)
        if m ** n <= 50000:
            cases.append({"args": [n, m, rng.randint(1, m)], "small": True})
    for _ in range(6):
        m = rng.randint(1, 10**9)
        cases.append({"args": [rng.randint(1, 10**9), m, rng.randint(1, min(m, 1000))], "small": False})
    # Maximum size: n so long that no flag-by-flag walk can finish, k at its cap.
    for _ in range(4):
        cases.append({"args": [rng.randint(10**8, 10**9), rng.randint(10**5, 10**9), rng.randint(9 * 10**4, 10**5)], "small": False})
    cases.append({"args": [10**9, 10**9, 10**5], "small": False})
    return cases
