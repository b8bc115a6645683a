from typing import List


def reachable_islands(n: int, bridges: List[List[int]], queries: List[List[int]]) -> List[int]:
    """One graph search per question over the bridges above the water: O(q * (n + m))."""
    adj = [[] for _ in range(n)]
    for a, b, h in bridges:
        adj[a].append((b, h))
        adj[b].append((a, h))
    answers = []
    for v, level in queries:
        seen = {v}
        stack = [v]
        while stack:
            x = stack.pop()
            for y, h in adj[x]:
                if h > level and y not in seen:
                    seen.add(y)
                    stack.append(y)
        answers.append(len(seen))
    return answers
