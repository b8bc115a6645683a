import heapq
from typing import List


def cheapest_trip(n: int, roads: List[List[int]], vouchers: int) -> int:
    """Dijkstra over states (town, vouchers used): O((n*k + m*k) log(n*k))."""
    adj = [[] for _ in range(n)]
    for a, b, t in roads:
        adj[a].append((b, t))
        adj[b].append((a, t))
    layers = vouchers + 1
    inf = float("inf")
    dist = [inf] * (n * layers)  # state id = town * layers + used
    dist[0] = 0
    heap = [(0, 0)]
    target = n - 1
    while heap:
        d, state = heapq.heappop(heap)
        if d > dist[state]:
            continue
        town, used = divmod(state, layers)
        if town == target:
            return d
        base = state - used
        for nxt, t in adj[town]:
            s = nxt * layers + used
            nd = d + t
            if nd < dist[s]:
                dist[s] = nd
                heapq.heappush(heap, (nd, s))
            if used < vouchers:
                nd = d + t // 2
                if nd < dist[s + 1]:
                    dist[s + 1] = nd
                    heapq.heappush(heap, (nd, s + 1))
    return -1
