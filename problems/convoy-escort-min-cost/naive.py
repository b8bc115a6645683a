from typing import List


class Solution:
    def minEscortCost(self, loads: List[int], k: int) -> int:
        """The direct DP: try every length for the last convoy, O(n * k)."""
        n = len(loads)
        best = [0] + [float("inf")] * n
        for i in range(1, n + 1):
            top = 0
            for j in range(i - 1, max(0, i - k) - 1, -1):
                top = max(top, loads[j])
                best[i] = min(best[i], best[j] + top)
        return best[n]
