import random


def _case(rng, ns, nt, m, cmax):
    all_pairs = ns * nt
    if m * 2 > all_pairs:
        pairs = rng.sample([[i, j] for i in range(ns) for j in range(nt)], min(m, all_pairs))
    else:
        chosen = set()
        while len(chosen) < m:
            chosen.add((rng.randrange(ns), rng.randrange(nt)))
        pairs = [list(p) for p in chosen]
        rng.shuffle(pairs)
    return [[rng.randint(0, cmax) for _ in range(ns)], [rng.randint(0, cmax) for _ in range(nt)], pairs]


def _tight(rng, ns, nt, m):
    """Caps equal to degrees give a huge flow that plain augmenting paths find one unit at a time."""
    _, _, pairs = _case(rng, ns, nt, m, 1)
    ds, dt = [0] * ns, [0] * nt
    for i, j in pairs:
        ds[i] += 1
        dt[j] += 1
    return [[d - rng.randint(0, 2) if d > 2 else d for d in ds], [d - rng.randint(0, 2) if d > 2 else d for d in dt], pairs]


def _trap(rng):
    """High-numbered students all want the same 40 one-slot tutors: a saturated region that a
    depth-first augmenting search (which tries the last student first) re-explores on every search."""
    pairs = [[i, j] for i in range(350, 500) for j in range(40)]
    chosen = set()
    while len(chosen) < 4000:
        chosen.add((rng.randrange(350), rng.randrange(40, 500)))
    pairs += [list(p) for p in chosen]
    rng.shuffle(pairs)
    ds, dt = [0] * 500, [0] * 500
    for i, j in chosen:
        ds[i] += 1
        dt[j] += 1
    return [ds[:350] + [40] * 150, [1] * 40 + dt[40:], pairs]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [[0], [0], []], "small": True},
        {"args": [[5], [5], [[0, 0]]], "small": True},
        {"args": [[1], [1], []], "small": True},
        {"args": [[0, 2], [3], [[0, 0], [1, 0]]], "small": True},
        {"args": [[1, 1], [1, 1], [[0, 0], [0, 1], [1, 0]]], "small": True},
    ]
    for _ in range(35):
        ns, nt = rng.randint(1, 4), rng.randint(1, 4)
        m = rng.randint(0, min(ns * nt, 10))
        cases.append({"args": _case(rng, ns, nt, m, rng.choice([1, 2, 3])), "small": True})
    for _ in range(10):
        ns, nt = rng.randint(10, 200), rng.randint(10, 200)
        cases.append({"args": _case(rng, ns, nt, rng.randint(ns, min(ns * nt, 3000)), rng.choice([2, 10, 50])), "small": False})
    cases.append({"args": _tight(rng, 500, 500, 20000), "small": False})
    cases.append({"args": _tight(rng, 200, 500, 20000), "small": False})
    cases.append({"args": _case(rng, 500, 500, 10000, 40), "small": False})
    cases.append({"args": _case(rng, 120, 120, 10000, 500), "small": False})
    cases.append({"args": _trap(rng), "small": False})
    return cases
