from collections import Counter

MOD = 1_000_000_007


class Solution:
    def countPalindromicRows(self, tiles: str) -> int:
        # A palindrome is fixed by its left half (plus the one odd letter, if any, in the
        # middle), so the answer is the multinomial half! / prod (count_c / 2)!, computed
        # with factorials and a Fermat inverse modulo the prime.
        counts = Counter(tiles).values()
        if sum(c % 2 for c in counts) > 1:
            return 0
        half = len(tiles) // 2
        fact = [1] * (half + 1)
        for i in range(1, half + 1):
            fact[i] = fact[i - 1] * i % MOD
        denominator = 1
        for c in counts:
            denominator = denominator * fact[c // 2] % MOD
        return fact[half] * pow(denominator, MOD - 2, MOD) % MOD
