from typing import List


class Solution:
    def minDispatchCost(self, loads: List[int], fee: int) -> int:
        # best[i] = min over the start j of the last crossing: correct, but O(n^2).
        n = len(loads)
        prefix = [0] * (n + 1)
        for i, load in enumerate(loads):
            prefix[i + 1] = prefix[i] + load
        best = [0] * (n + 1)
        for i in range(1, n + 1):
            p = prefix[i]
            best[i] = min(best[j] + (p - prefix[j]) ** 2 for j in range(i)) + fee
        return best[n]
