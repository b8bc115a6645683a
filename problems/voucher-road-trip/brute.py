from typing import List


def cheapest_trip(n: int, roads: List[List[int]], vouchers: int) -> int:
    """Bellman-Ford over (town, vouchers used) until nothing improves."""
    inf = float("inf")
    best = {(0, 0): 0}
    changed = True
    while changed:
        changed = False
        for (town, used), d in list(best.items()):
            for a, b, t in roads:
                for u, v in ((a, b), (b, a)):
                    if u != town:
                        continue
                    options = [(used, t)]
                    if used < vouchers:
                        options.append((used + 1, t // 2))
                    for nu, cost in options:
                        if d + cost < best.get((v, nu), inf):
                            best[(v, nu)] = d + cost
                            changed = True
    ends = [d for (town, _), d in best.items() if town == n - 1]
    return min(ends) if ends else -1
