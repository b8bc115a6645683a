from typing import List


class Solution:
    def forcedCableCosts(self, n: int, cables: List[List[int]]) -> List[int]:
        """MST, then climb parent pointers from both ends to their meeting point: O(m * tree depth)."""
        parent = list(range(n))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        tree = [[] for _ in range(n)]
        total = 0
        for a, b, c in sorted(cables, key=lambda e: e[2]):
            if find(a) != find(b):
                parent[find(a)] = find(b)
                total += c
                tree[a].append((b, c))
                tree[b].append((a, c))
        up, cost_up, depth = [-1] * n, [0] * n, [0] * n
        stack, seen = [0], {0}
        while stack:
            v = stack.pop()
            for w, c in tree[v]:
                if w not in seen:
                    seen.add(w)
                    up[w], cost_up[w], depth[w] = v, c, depth[v] + 1
                    stack.append(w)
        answers = []
        for a, b, c in cables:
            best = 0
            while a != b:
                if depth[a] < depth[b]:
                    a, b = b, a
                best = max(best, cost_up[a])
                a = up[a]
            answers.append(total - best + c)
        return answers
