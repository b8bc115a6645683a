from collections import Counter
from typing import List


class Solution:
    def longestMotif(self, song: str, k: int) -> int:
        """Binary search the length; a length works iff some polynomial hash occurs k times.

        If a motif of length L occurs k times, so does its prefix of length L - 1,
        which makes the predicate monotone. Hashes are taken modulo the Mersenne
        prime 2^61 - 1, where a collision among the at most 5 * 10^4 windows
        of one length is vanishingly unlikely.
        """
        mod = (1 << 61) - 1
        base = 1_000_003
        n = len(song)
        prefix: List[int] = [0] * (n + 1)
        for i, ch in enumerate(song):
            prefix[i + 1] = (prefix[i] * base + ord(ch)) % mod

        def repeated(length: int) -> bool:
            shift = pow(base, length, mod)
            hashes = Counter([(prefix[i + length] - prefix[i] * shift) % mod for i in range(n - length + 1)])
            return max(hashes.values()) >= k

        lo, hi = 0, n - k + 1 if k <= n else 0
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if repeated(mid):
                lo = mid
            else:
                hi = mid - 1
        return lo
