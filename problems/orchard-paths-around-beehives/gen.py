import random


def _hives(rng: random.Random, rows: int, cols: int, k: int) -> list:
    k = min(k, rows * cols - 2)
    chosen = set()
    while len(chosen) < k:
        cell = (rng.randrange(rows), rng.randrange(cols))
        if cell not in ((0, 0), (rows - 1, cols - 1)):
            chosen.add(cell)
    return [list(cell) for cell in chosen]


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [1, 1, []], "small": True},
        {"args": [1, 7, []], "small": True},
        {"args": [7, 1, [[3, 0]]], "small": True},
        {"args": [2, 2, [[0, 1], [1, 0]]], "small": True},
        {"args": [6, 6, [[i, 5 - i] for i in range(1, 5)]], "small": True},
    ]
    for _ in range(33):
        rows, cols = rng.randint(1, 8), rng.randint(1, 8)
        k = rng.randint(0, max(0, rows * cols // 3))
        cases.append({"args": [rows, cols, _hives(rng, rows, cols, k)], "small": True})
    for _ in range(6):
        rows, cols = rng.randint(10, 10**5), rng.randint(10, 10**5)
        cases.append({"args": [rows, cols, _hives(rng, rows, cols, rng.randint(0, 300))], "small": False})
    n = 10**5
    cases.append({"args": [n, n, []], "small": False})
    cases.append({"args": [n, n, _hives(rng, n, n, 1000)], "small": False})
    # Hives along the main diagonal: every pair is ordered, the most work for the reference.
    diag = sorted(rng.sample(range(1, n - 1), 1000))
    cases.append({"args": [n, n, [[d, d] for d in diag]], "small": False})
    cases.append({"args": [n, n, [[d + rng.randint(-5, 5) if 6 < d < n - 7 else d, d] for d in diag]], "small": False})
    cases.append({"args": [n, 2, [[r, rng.randint(0, 1)] for r in rng.sample(range(1, n - 1), 1000)]], "small": False})
    cases.append({"args": [n, n, [[n - 1 - d, d] for d in diag]], "small": False})
    return cases
