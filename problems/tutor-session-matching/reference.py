from collections import deque
from typing import List


class Solution:
    def maxSessions(self, studentCaps: List[int], tutorCaps: List[int], pairs: List[List[int]]) -> int:
        """Dinic's max flow: source -> student (cap) -> tutor (1) -> sink (cap).

        Every pair edge has capacity 1, so plain augmenting paths would find one
        session per graph search; Dinic's level graphs need only O(sqrt(E)) phases.
        """
        ns, nt = len(studentCaps), len(tutorCaps)
        source, sink = ns + nt, ns + nt + 1
        size = ns + nt + 2
        to, cap, adj = [], [], [[] for _ in range(size)]

        def add(u, v, c):
            adj[u].append(len(to)); to.append(v); cap.append(c)
            adj[v].append(len(to)); to.append(u); cap.append(0)

        for i, c in enumerate(studentCaps):
            if c:
                add(source, i, c)
        for j, c in enumerate(tutorCaps):
            if c:
                add(ns + j, sink, c)
        for i, j in pairs:
            add(i, ns + j, 1)

        flow = 0
        while True:
            level = [-1] * size
            level[source] = 0
            queue = deque([source])
            while queue:
                v = queue.popleft()
                for e in adj[v]:
                    if cap[e] and level[to[e]] < 0:
                        level[to[e]] = level[v] + 1
                        queue.append(to[e])
            if level[sink] < 0:
                return flow
            pointer = [0] * size
            path = []  # edges from the source to v along the level graph
            v = source
            while True:
                if v == sink:
                    push = min(cap[e] for e in path)
                    for e in path:
                        cap[e] -= push
                        cap[e ^ 1] += push
                    flow += push
                    path.clear()
                    v = source
                    continue
                edges = adj[v]
                p = pointer[v]
                while p < len(edges) and not (cap[edges[p]] and level[to[edges[p]]] == level[v] + 1):
                    p += 1
                pointer[v] = p
                if p < len(edges):
                    path.append(edges[p])
                    v = to[edges[p]]
                    continue
                if not path:
                    break
                level[v] = -1  # dead end for the rest of this phase
                v = to[path.pop() ^ 1]
                pointer[v] += 1
