from typing import List


def cheapest_trip(n: int, roads: List[List[int]], vouchers: int) -> int:
    """Textbook array Dijkstra on the layered graph: O(V^2) with V = n * (vouchers + 1)."""
    layers = vouchers + 1
    adj = [[] for _ in range(n)]
    for a, b, t in roads:
        adj[a].append((b, t))
        adj[b].append((a, t))
    inf = float("inf")
    size = n * layers
    dist = [inf] * size
    done = [False] * size
    dist[0] = 0
    for _ in range(size):
        best, state = inf, -1
        for s in range(size):
            if not done[s] and dist[s] < best:
                best, state = dist[s], s
        if state < 0:
            break
        done[state] = True
        town, used = divmod(state, layers)
        for nxt, t in adj[town]:
            s = nxt * layers + used
            dist[s] = min(dist[s], best + t)
            if used < vouchers:
                dist[s + 1] = min(dist[s + 1], best + t // 2)
    ans = min(dist[(n - 1) * layers + u] for u in range(layers))
    return -1 if ans == inf else ans
