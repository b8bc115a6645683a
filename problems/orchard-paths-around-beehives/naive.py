from typing import List

MOD = 1_000_000_007


class Solution:
    def countPaths(self, rows: int, cols: int, hives: List[List[int]]) -> int:
        # Row-by-row DP over every tree: correct, but O(rows * cols).
        blocked = set(map(tuple, hives))
        row = [0] * cols
        row[0] = 1
        for r in range(rows):
            for c in range(cols):
                if (r, c) in blocked:
                    row[c] = 0
                elif c:
                    row[c] = (row[c] + row[c - 1]) % MOD
        return row[-1]
