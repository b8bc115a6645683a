from itertools import permutations

MOD = 1_000_000_007


class Solution:
    def countPalindromicRows(self, tiles: str) -> int:
        # Every distinct row, checked directly.
        return len({row for row in permutations(tiles) if row == row[::-1]}) % MOD
