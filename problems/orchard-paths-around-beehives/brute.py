from typing import List

MOD = 1_000_000_007


class Solution:
    def countPaths(self, rows: int, cols: int, hives: List[List[int]]) -> int:
        # Walk every route explicitly.
        blocked = set(map(tuple, hives))

        def walk(r: int, c: int) -> int:
            if r >= rows or c >= cols or (r, c) in blocked:
                return 0
            if (r, c) == (rows - 1, cols - 1):
                return 1
            return walk(r + 1, c) + walk(r, c + 1)

        return walk(0, 0) % MOD
