from typing import List

MOD = 1_000_000_007


class Solution:
    def countPaths(self, rows: int, cols: int, hives: List[List[int]]) -> int:
        # Routes between two cells are a binomial coefficient. Sort hives (and the target)
        # in walking order; good[i] = routes to cell i that touch no earlier hive
        #   = all routes to i - sum over hives j before i of good[j] * routes(j -> i).
        # O(k^2) after O(rows + cols) factorials, independent of the grid area.
        size = rows + cols
        fact = [1] * size
        for i in range(1, size):
            fact[i] = fact[i - 1] * i % MOD
        inv = [1] * size
        inv[-1] = pow(fact[-1], MOD - 2, MOD)
        for i in range(size - 1, 0, -1):
            inv[i - 1] = inv[i] * i % MOD

        def routes(dr: int, dc: int) -> int:
            return fact[dr + dc] * inv[dr] % MOD * inv[dc] % MOD

        cells = sorted(map(tuple, hives)) + [(rows - 1, cols - 1)]
        good = []
        for i, (r, c) in enumerate(cells):
            value = routes(r, c)
            for j in range(i):
                rj, cj = cells[j]
                if cj <= c:
                    value -= good[j] * routes(r - rj, c - cj)
            good.append(value % MOD)
        return good[-1]
