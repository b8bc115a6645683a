import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [[0]], "small": True},
        {"args": [[1000]], "small": True},
        {"args": [[1000] * 12], "small": True},
        {"args": [[0] * 12], "small": True},
        {"args": [[1000, 0] * 6], "small": True},
        {"args": [[1, 999] * 6], "small": True},
    ]
    for _ in range(32):
        n = rng.randint(1, 12)
        style = rng.choice(["any", "high", "low"])
        lo, hi = {"any": (0, 1000), "high": (900, 1000), "low": (0, 100)}[style]
        cases.append({"args": [[rng.randint(lo, hi) for _ in range(n)]], "small": True})
    for _ in range(8):
        n = rng.randint(100, 5000)
        cases.append({"args": [[rng.randint(0, 1000) for _ in range(n)]], "small": False})
    # Maximum size: mostly lit strings (long blocks, large answer) and a fully lit one.
    n = 3 * 10**4
    cases.append({"args": [[1000] * n], "small": False})
    cases.append({"args": [[rng.randint(990, 1000) for _ in range(n)]], "small": False})
    cases.append({"args": [[rng.randint(0, 1000) for _ in range(n)]], "small": False})
    cases.append({"args": [[rng.choice([999, 1000]) for _ in range(n)]], "small": False})
    return cases
