from typing import List


class Solution:
    def maxCommissions(self, orders: List[List[int]]) -> int:
        """DP by deadline: least[j] = least busy time after accepting j jobs. O(n * answer)."""
        least = [0]
        for length, deadline in sorted(orders, key=lambda o: o[1]):
            if least[-1] + length <= deadline:
                least.append(least[-1] + length)
            for j in range(len(least) - 1, 0, -1):
                if least[j - 1] + length <= deadline and least[j - 1] + length < least[j]:
                    least[j] = least[j - 1] + length
        return len(least) - 1
