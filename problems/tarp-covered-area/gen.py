import random


def _tarps(rng, n, cmax, span):
    """`n` random rectangles in [0, cmax]^2 whose sides are at most `span` long."""
    tarps = []
    for _ in range(n):
        w, h = rng.randint(1, span), rng.randint(1, span)
        x1, y1 = rng.randint(0, cmax - w), rng.randint(0, cmax - h)
        tarps.append([x1, y1, x1 + w, y1 + h])
    return tarps


def _strips(rng, n, cmax):
    """Long horizontal strips: almost every tarp is active at every x (worst case for re-merging)."""
    tarps = []
    for _ in range(n):
        y1 = rng.randint(0, cmax - 2)
        y2 = rng.randint(y1 + 1, min(cmax, y1 + cmax // 50))
        x1 = rng.randint(0, cmax // 10)
        x2 = rng.randint(cmax - cmax // 10, cmax)
        tarps.append([x1, y1, x2, y2])
    return tarps


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[[0, 0, 1, 1]]], "small": True},
        {"args": [[[0, 0, 10**9, 10**9]]], "small": True},
        {"args": [[[0, 0, 10**9, 10**9], [0, 0, 10**9, 10**9]]], "small": True},
        {"args": [[[0, 0, 2, 2], [2, 2, 4, 4]]], "small": True},
        {"args": [[[0, 0, 5, 1], [2, 0, 3, 5]]], "small": True},
        {"args": [[[1, 1, 3, 3], [0, 0, 4, 4], [1, 1, 2, 2]]], "small": True},
    ]
    for _ in range(34):
        cmax = rng.choice([5, 20, 10**9])
        cases.append({"args": [_tarps(rng, rng.randint(1, 8), cmax, rng.randint(1, cmax))], "small": True})
    for _ in range(10):
        cmax = rng.choice([1000, 10**9])
        cases.append({"args": [_tarps(rng, rng.randint(50, 800), cmax, cmax // rng.choice([2, 10]))], "small": False})
    cases.append({"args": [_strips(rng, 8000, 10**9)], "small": False})
    cases.append({"args": [_tarps(rng, 8000, 10**9, 6 * 10**8)], "small": False})
    cases.append({"args": [_tarps(rng, 8000, 10**9, 10**7)], "small": False})
    return cases
