import random


def _events(rng: random.Random, L: int, q: int, remove_share: float, long_posters: bool) -> list:
    ops, active = [], []
    for _ in range(q):
        if active and rng.random() < remove_share:
            k = rng.randrange(len(active))
            active[k], active[-1] = active[-1], active[k]
            l, r = active.pop()
            ops.append([0, l, r])
            continue
        if long_posters:
            l = rng.randrange(0, max(1, L // 3))
            r = rng.randint(max(l + 1, L - L // 3), L)
        else:
            l = rng.randrange(0, L)
            r = rng.randint(l + 1, min(L, l + max(1, L // rng.choice([2, 5, 20]))))
        if active and rng.random() < 0.1:
            l, r = rng.choice(active)
        active.append((l, r))
        ops.append([1, l, r])
    return ops


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [1, [[1, 0, 1]]], "small": True},
        {"args": [1, [[1, 0, 1], [0, 0, 1]]], "small": True},
        {"args": [7, [[1, 0, 7], [1, 0, 7], [0, 0, 7], [0, 0, 7]]], "small": True},
        {"args": [6, [[1, 0, 2], [1, 4, 6], [1, 2, 4], [0, 2, 4]]], "small": True},
        {"args": [10 ** 9, [[1, 0, 10 ** 9], [1, 5, 6], [0, 0, 10 ** 9]]], "small": False},
    ]
    for _ in range(30):
        L = rng.randint(1, 30)
        cases.append({"args": [L, _events(rng, L, rng.randint(1, 25), rng.random() * 0.6, rng.random() < 0.3)], "small": True})
    for _ in range(12):
        L = rng.choice([10 ** 9, rng.randint(10 ** 3, 10 ** 6)])
        cases.append({"args": [L, _events(rng, L, rng.randint(100, 600), rng.random() * 0.5, rng.random() < 0.5)], "small": False})
    # Maximum size: long overlapping posters with few removals keep the number of distinct pieces near 2q,
    # so rescanning all pieces per event costs about 2 * 10^8 steps.
    cases.append({"args": [10 ** 9, _events(rng, 10 ** 9, 10 ** 4, 0.2, True)], "small": False})
    cases.append({"args": [10 ** 9, _events(rng, 10 ** 9, 10 ** 4, 0.35, False)], "small": False})
    cases.append({"args": [10 ** 9, _events(rng, 10 ** 9, 10 ** 4, 0.05, True)], "small": False})
    return cases
