import random


def _heights(rng: random.Random, n: int, top: int, shape: str) -> list:
    values = [rng.randint(1, top) for _ in range(n)]
    if shape == "rising":
        values.sort()
    elif shape == "falling":
        values.sort(reverse=True)
    elif shape == "valley":
        values.sort()
        values = values[n % 2::2][::-1] + values[1 - n % 2::2]
    return values


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[1]], "small": True},
        {"args": [[100000]], "small": True},
        {"args": [[1, 2]], "small": True},
        {"args": [[2, 1]], "small": True},
        {"args": [[3, 3, 3, 3, 3]], "small": True},
        {"args": [[1, 3, 1, 3, 1, 3, 1]], "small": True},
    ]
    shapes = ["random", "rising", "falling", "valley"]
    for _ in range(32):
        n = rng.randint(1, 40)
        cases.append({"args": [_heights(rng, n, rng.choice([2, 5, 100, 10 ** 5]), rng.choice(shapes))], "small": True})
    for _ in range(8):
        n = rng.randint(200, 4000)
        cases.append({"args": [_heights(rng, n, rng.choice([3, 10 ** 5]), rng.choice(shapes))], "small": False})
    # Maximum size: long monotone runs make a scan for the nearest taller tower quadratic.
    n = 2 * 10 ** 4
    for shape in ("rising", "valley", "random", "falling"):
        top = 10 ** 5 if shape != "random" else 50
        cases.append({"args": [_heights(rng, n, top, shape)], "small": False})
    return cases
