import random


def _grid(rng, rows, cols, weights, letters="ab"):
    """A random map; `weights` gives the odds of '.', '#', '%' and a pond letter."""
    kinds = rng.choices([".", "#", "%", "L"], weights=weights, k=rows * cols)
    cells = [rng.choice(letters) if k == "L" else k for k in kinds]
    s, t = rng.sample(range(rows * cols), 2)
    cells[s], cells[t] = "S", "T"
    return ["".join(cells[r * cols:(r + 1) * cols]) for r in range(rows)]


def _walled(rng, rows, cols):
    """S and T in separate rock-walled halves, joined only through ponds of one letter."""
    grid = _grid(rng, rows, cols, [3, 3, 1, 5], "a")
    cells = [list(row) for row in grid]
    mid = cols // 2
    for r in range(rows):
        cells[r][mid] = "%"
    flat = [c for row in cells for c in row]
    for ch in "ST":
        flat[flat.index(ch)] = "."
    flat[rng.randrange(rows) * cols + rng.randrange(mid)] = "S"
    flat[rng.randrange(rows) * cols + mid + 1 + rng.randrange(cols - mid - 1)] = "T"
    return ["".join(flat[r * cols:(r + 1) * cols]) for r in range(rows)]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [["ST"]], "small": True},
        {"args": [["S", "#", "T"]], "small": True},
        {"args": [["S%T"]], "small": True},
        {"args": [["Sa", "%%", "aT"]], "small": True},
        {"args": [["S#", "#T"]], "small": True},
        {"args": [["a#a#a", "#S#T#", "a#a#a"]], "small": True},
    ]
    for _ in range(34):
        rows, cols = rng.randint(1, 6), rng.randint(2, 6)
        weights = rng.choice([[4, 3, 1, 2], [1, 4, 2, 2], [2, 2, 3, 1], [1, 1, 1, 4]])
        cases.append({"args": [_grid(rng, rows, cols, weights, rng.choice(["a", "ab", "abc"]))], "small": True})
    for _ in range(10):
        rows, cols = rng.randint(20, 120), rng.randint(20, 120)
        cases.append({"args": [_grid(rng, rows, cols, [3, 3, 1, 2], "abcdefghij")], "small": False})
    # maximum size: one huge pond letter (slide groups of ~30000 cells), many letters, a walled split, pure drifts
    cases.append({"args": [_grid(rng, 250, 250, [3, 2, 0, 5], "a")], "small": False})
    cases.append({"args": [_walled(rng, 250, 250)], "small": False})
    cases.append({"args": [_grid(rng, 250, 250, [1, 1, 0, 6], "ab")], "small": False})
    cases.append({"args": [_grid(rng, 250, 250, [2, 5, 1, 2], "abcdefghijklmnopqrstuvwxyz")], "small": False})
    cases.append({"args": [_grid(rng, 250, 250, [1, 6, 0, 0])], "small": False})
    return cases
