import random
from itertools import combinations


def _feuds(rng: random.Random, n: int, density: float) -> list:
    pairs = [list(p) for p in combinations(range(n), 2) if rng.random() < density]
    for p in pairs:
        if rng.random() < 0.5:
            p.reverse()
    rng.shuffle(pairs)
    return pairs


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [1, []], "small": True},
        {"args": [2, [[1, 0]]], "small": True},
        {"args": [8, []], "small": True},
        {"args": [8, [list(p) for p in combinations(range(8), 2)]], "small": True},
        {"args": [8, [[0, j] for j in range(1, 8)]], "small": True},
        {"args": [7, [[i, i + 1] for i in range(6)]], "small": True},
    ]
    for _ in range(32):
        n = rng.randint(1, 8)
        cases.append({"args": [n, _feuds(rng, n, rng.choice([0.1, 0.3, 0.5, 0.8]))], "small": True})
    for _ in range(8):
        n = rng.randint(9, 12)
        cases.append({"args": [n, _feuds(rng, n, rng.choice([0.1, 0.3, 0.6]))], "small": False})
    cases.append({"args": [13, []], "small": False})
    cases.append({"args": [13, _feuds(rng, 13, 0.05)], "small": False})
    cases.append({"args": [13, _feuds(rng, 13, 0.3)], "small": False})
    cases.append({"args": [13, [[i, (i + 1) % 13] for i in range(13)]], "small": False})
    return cases
