import random


def _orders(rng: random.Random, n: int, top_length: int, slack: float) -> list:
    """Deadlines scale with the work offered so far, so `slack` steers how many offers fit."""
    horizon = max(1, int(n * (top_length + 1) / 2 * slack))
    return [[rng.randint(1, top_length), rng.randint(1, horizon)] for _ in range(n)]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[[1, 1]]], "small": True},
        {"args": [[[2, 1]]], "small": True},
        {"args": [[[1000, 10 ** 7]]], "small": True},
        {"args": [[[3, 3], [3, 3], [3, 3]]], "small": True},
        {"args": [[[1, 5], [1, 5], [1, 5], [1, 5], [1, 5], [1, 5]]], "small": True},
        {"args": [[[4, 4], [1, 2], [1, 2], [1, 3]]], "small": True},
    ]
    for _ in range(32):
        n = rng.randint(1, 11)
        cases.append({"args": [_orders(rng, n, rng.choice([3, 10, 1000]), rng.choice([0.3, 0.7, 1.0, 2.0]))], "small": True})
    for _ in range(9):
        n = rng.randint(200, 3000)
        cases.append({"args": [_orders(rng, n, rng.choice([10, 1000]), rng.choice([0.3, 0.6, 1.5]))], "small": False})
    # Maximum size: roughly 60-90% of the offers fit, so a DP over "jobs accepted so far" does ~10^8 steps.
    n = 3 * 10 ** 4
    cases.append({"args": [_orders(rng, n, 1000, 0.6)], "small": False})
    cases.append({"args": [_orders(rng, n, 300, 0.8)], "small": False})
    cases.append({"args": [_orders(rng, 2 * 10 ** 4, 1000, 0.4)], "small": False})
    return cases
