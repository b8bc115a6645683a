import random


def _layered(rng, n, m, groups, back_ratio=0.0):
    """Squares split into `groups` clusters, each made a cycle; forward streets link clusters into a DAG."""
    perm = rng.sample(range(n), n)
    cuts = sorted(rng.sample(range(1, n), groups - 1)) if groups > 1 else []
    bounds = [0] + cuts + [n]
    group_of = [0] * n
    streets = []
    for g in range(groups):
        members = perm[bounds[g]:bounds[g + 1]]
        for i, v in enumerate(members):
            group_of[v] = g
            if len(members) > 1:
                streets.append([v, members[(i + 1) % len(members)]])
    for g in range(groups - 1):  # a backbone so late clusters are reachable from early ones
        streets.append([perm[rng.randrange(bounds[g], bounds[g + 1])], perm[rng.randrange(bounds[g + 1], bounds[g + 2])]])
    while len(streets) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if group_of[a] > group_of[b] and rng.random() >= back_ratio:
            a, b = b, a
        streets.append([a, b])
    rng.shuffle(streets)
    return streets[:m], perm


def _case(rng, n, m, groups, gate_count, lmax=10000, back_ratio=0.0):
    streets, perm = _layered(rng, n, m, groups, back_ratio)
    lanterns = [rng.randint(0, lmax) for _ in range(n)]
    start = perm[rng.randrange(max(1, n // 10))]  # usually early in the DAG
    gates = rng.sample(range(n), gate_count)
    return [n, streets, lanterns, start, gates]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": [1, [], [7], 0, [0]], "small": True},
        {"args": [1, [[0, 0]], [0], 0, [0]], "small": True},
        {"args": [2, [[0, 1]], [3, 4], 0, [0]], "small": True},
        {"args": [2, [[1, 0]], [3, 4], 0, [1]], "small": True},
        {"args": [3, [[0, 1], [1, 2], [2, 1]], [1, 0, 0], 0, [1, 2]], "small": True},
        {"args": [4, [[0, 1], [0, 2], [1, 3], [2, 3]], [0, 5, 6, 1], 0, [3]], "small": True},
    ]
    for _ in range(34):
        n = rng.randint(1, 8)
        m = rng.randint(0, 14)
        groups = rng.randint(1, n)
        streets = [[rng.randrange(n), rng.randrange(n)] for _ in range(m)] if rng.random() < 0.4 else _layered(rng, n, m, groups, 0.1)[0]
        lanterns = [rng.randint(0, rng.choice([3, 100])) for _ in range(n)]
        gates = rng.sample(range(n), rng.randint(1, n))
        cases.append({"args": [n, streets, lanterns, rng.randrange(n), gates], "small": True})
    for _ in range(10):
        n = rng.randint(100, 800)
        m = rng.randint(n, 2 * n)
        cases.append({"args": _case(rng, n, m, rng.randint(1, n), rng.randint(1, 20), back_ratio=0.02), "small": False})
    # maximum size: a long chain of tiny clusters, a few big clusters, a chain of single squares
    cases.append({"args": _case(rng, 15000, 30000, 7500, 3), "small": False})
    cases.append({"args": _case(rng, 15000, 30000, 30, 5), "small": False})
    cases.append({"args": _case(rng, 15000, 30000, 15000, 20), "small": False})
    return cases
