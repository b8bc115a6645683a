import math
import random


def _distinct(rng, n, sample):
    seen = set()
    while len(seen) < n:
        seen.add(sample())
    pts = [list(p) for p in seen]
    rng.shuffle(pts)
    return pts


def _circle_like(rng, n, radius):
    """Integer points near a big circle: a large share of them are corners."""
    def sample():
        angle = rng.random() * 2 * math.pi
        r = radius - rng.randint(0, radius // 10**6)
        return (int(r * math.cos(angle)), int(r * math.sin(angle)))
    return _distinct(rng, n, sample)


def _parabola(rng, n):
    """Points (t, t^2): every one of them is a corner."""
    ts = rng.sample(range(-30000, 30001), n)
    return [[t, t * t] for t in ts]


def _box(rng, n, c):
    return _distinct(rng, n, lambda: (rng.randint(-c, c), rng.randint(-c, c)))


def _line(rng, n, c):
    dx, dy = rng.randint(-5, 5), rng.randint(-5, 5)
    if dx == dy == 0:
        dx = 1
    x0, y0 = rng.randint(-c, c), rng.randint(-c, c)
    ks = rng.sample(range(-c, c + 1), n)
    return [[x0 + k * dx, y0 + k * dy] for k in ks]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    big = 10**9
    cases = [
        {"args": [[[0, 0]]], "small": True},
        {"args": [[[big, -big]]], "small": True},
        {"args": [[[0, 0], [1, 1]]], "small": True},
        {"args": [[[0, 0], [1, 0], [2, 0]]], "small": True},
        {"args": [[[-big, -big], [big, -big], [big, big], [-big, big], [0, 0]]], "small": True},
        {"args": [[[0, 0], [2, 0], [1, 0], [1, 1], [1, 2], [0, 2], [2, 2], [0, 1], [2, 1]]], "small": True},
    ]
    for _ in range(34):
        n = rng.randint(1, 9)
        kind = rng.random()
        if kind < 0.15:
            pts = _line(rng, n, 20)
        else:
            pts = _box(rng, n, rng.choice([2, 3, 10, big]))
        cases.append({"args": [pts], "small": True})
    for _ in range(8):
        n = rng.randint(100, 1000)
        cases.append({"args": [_box(rng, n, rng.choice([50, big]))], "small": False})
    cases.append({"args": [_line(rng, 1000, 10**6)], "small": False})
    cases.append({"args": [_circle_like(rng, 2000, 10**6)], "small": False})
    cases.append({"args": [_box(rng, 10000, big)], "small": False})
    cases.append({"args": [_parabola(rng, 8000)], "small": False})
    cases.append({"args": [_circle_like(rng, 8000, big)], "small": False})
    cases.append({"args": [_box(rng, 10000, 100)], "small": False})
    return cases
