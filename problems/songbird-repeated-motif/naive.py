from collections import Counter


class Solution:
    def longestMotif(self, song: str, k: int) -> int:
        """Binary search on the length, counting the substrings themselves: O(n * L) per probe."""
        lo, hi = 0, len(song)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            counts = Counter(song[i:i + mid] for i in range(len(song) - mid + 1))
            if counts and max(counts.values()) >= k:
                lo = mid
            else:
                hi = mid - 1
        return lo
