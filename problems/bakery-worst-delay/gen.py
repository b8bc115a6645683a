import random


def _orders(rng: random.Random, n: int, top_bake: int, slack: float) -> list:
    horizon = max(0, int(n * (top_bake + 1) / 2 * slack))
    return [[rng.randint(1, top_bake), rng.randint(0, min(10 ** 8, horizon))] for _ in range(n)]


def _short_ones_late(rng: random.Random, n: int) -> list:
    """Long cakes promised early and short ones promised late: shortest-first schedules do badly here."""
    orders = []
    for i in range(n):
        if i % 2:
            orders.append([rng.randint(5000, 10 ** 4), min(10 ** 8, rng.randint(0, 5000 * i))])
        else:
            orders.append([rng.randint(1, 50), min(10 ** 8, rng.randint(5000 * i, 5000 * (i + 2)))])
    rng.shuffle(orders)
    return orders


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[[1, 0]]], "small": True},
        {"args": [[[10 ** 4, 10 ** 8]]], "small": True},
        {"args": [[[5, 5], [5, 5], [5, 5]]], "small": True},
        {"args": [[[3, 0], [3, 0], [3, 0], [3, 0]]], "small": True},
        {"args": [[[1, 100], [100, 100]]], "small": True},
    ]
    for _ in range(33):
        n = rng.randint(1, 7)
        orders = _short_ones_late(rng, n) if rng.random() < 0.25 else _orders(rng, n, rng.choice([5, 50, 10 ** 4]), rng.choice([0.2, 0.6, 1.0, 1.5]))
        cases.append({"args": [orders], "small": True})
    for _ in range(9):
        n = rng.randint(100, 3000)
        cases.append({"args": [_orders(rng, n, rng.choice([10, 10 ** 4]), rng.choice([0.3, 0.8, 1.2]))], "small": False})
    n = 2 * 10 ** 4
    cases.append({"args": [_orders(rng, n, 10 ** 4, 0.9)], "small": False})
    cases.append({"args": [_short_ones_late(rng, n)], "small": False})
    cases.append({"args": [_orders(rng, n, 10 ** 4, 0.0)], "small": False})
    return cases
