from collections import deque
from typing import List


class Solution:
    def maxSessions(self, studentCaps: List[int], tutorCaps: List[int], pairs: List[List[int]]) -> int:
        """Edmonds-Karp: one breadth-first search per augmenting path, O(flow * edges) here."""
        ns, nt = len(studentCaps), len(tutorCaps)
        source, sink = ns + nt, ns + nt + 1
        residual = [dict() for _ in range(ns + nt + 2)]

        def add(u, v, c):
            residual[u][v] = residual[u].get(v, 0) + c
            residual[v].setdefault(u, 0)

        for i, c in enumerate(studentCaps):
            add(source, i, c)
        for j, c in enumerate(tutorCaps):
            add(ns + j, sink, c)
        for i, j in pairs:
            add(i, ns + j, 1)

        flow = 0
        while True:
            parent = {source: None}
            queue = deque([source])
            while queue and sink not in parent:
                v = queue.popleft()
                for w, c in residual[v].items():
                    if c > 0 and w not in parent:
                        parent[w] = v
                        queue.append(w)
            if sink not in parent:
                return flow
            path, w = [], sink
            while parent[w] is not None:
                path.append((parent[w], w))
                w = parent[w]
            push = min(residual[u][v] for u, v in path)
            for u, v in path:
                residual[u][v] -= push
                residual[v][u] += push
            flow += push
