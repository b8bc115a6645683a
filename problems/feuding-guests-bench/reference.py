from typing import List


class Solution:
    def countSeatings(self, n: int, feuds: List[List[int]]) -> int:
        # ways[mask][last]: orders of the guests in `mask` (filled from the left) ending with
        # `last`. Only the set already seated and the latest guest matter for what may come
        # next, so 2^n * n states with n transitions each replace n! orders.
        friendly = [[True] * n for _ in range(n)]
        for a, b in feuds:
            friendly[a][b] = friendly[b][a] = False
        ways = [[0] * n for _ in range(1 << n)]
        for g in range(n):
            ways[1 << g][g] = 1
        for mask in range(1, 1 << n):
            row = ways[mask]
            for last in range(n):
                count = row[last]
                if not count:
                    continue
                ok = friendly[last]
                for nxt in range(n):
                    if not mask >> nxt & 1 and ok[nxt]:
                        ways[mask | 1 << nxt][nxt] += count
        return sum(ways[(1 << n) - 1])
