from typing import List


class Solution:
    def forcedCableCosts(self, n: int, cables: List[List[int]]) -> List[int]:
        """One MST, then for cable (a, b, c): MST - (dearest MST cable on the a-b path) + c.

        The path maximum comes from binary lifting over the MST, so every answer
        costs O(log n) instead of a walk along the path.
        """
        parent = list(range(n))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        tree = [[] for _ in range(n)]
        total = 0
        for i in sorted(range(len(cables)), key=lambda i: cables[i][2]):
            a, b, c = cables[i]
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
                total += c
                tree[a].append((b, c))
                tree[b].append((a, c))

        log = max(1, (n - 1).bit_length())
        up = [[0] * n for _ in range(log)]
        top = [[0] * n for _ in range(log)]  # top[k][v]: dearest cable on the 2^k steps above v
        depth = [0] * n
        seen = [False] * n
        seen[0] = True
        order = [0]
        for v in order:
            for w, c in tree[v]:
                if not seen[w]:
                    seen[w] = True
                    depth[w] = depth[v] + 1
                    up[0][w] = v
                    top[0][w] = c
                    order.append(w)
        for k in range(1, log):
            prev_up, prev_top, cur_up, cur_top = up[k - 1], top[k - 1], up[k], top[k]
            for v in range(n):
                mid = prev_up[v]
                cur_up[v] = prev_up[mid]
                cur_top[v] = max(prev_top[v], prev_top[mid])

        def path_max(a, b):
            best = 0
            if depth[a] < depth[b]:
                a, b = b, a
            diff = depth[a] - depth[b]
            k = 0
            while diff:
                if diff & 1:
                    best = max(best, top[k][a])
                    a = up[k][a]
                diff >>= 1
                k += 1
            if a == b:
                return best
            for k in range(log - 1, -1, -1):
                if up[k][a] != up[k][b]:
                    best = max(best, top[k][a], top[k][b])
                    a, b = up[k][a], up[k][b]
            return max(best, top[0][a], top[0][b])

        return [total - path_max(a, b) + c for a, b, c in cables]
