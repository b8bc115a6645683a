from typing import List


class Solution:
    def maxCommissions(self, orders: List[List[int]]) -> int:
        """Grow every possible working order one job at a time (state = set of finished jobs)."""
        n = len(orders)
        reachable = {0}
        frontier = [0]
        while frontier:
            mask = frontier.pop()
            now = sum(orders[i][0] for i in range(n) if mask >> i & 1)
            for i in range(n):
                if not mask >> i & 1 and now + orders[i][0] <= orders[i][1] and mask | 1 << i not in reachable:
                    reachable.add(mask | 1 << i)
                    frontier.append(mask | 1 << i)
        return max(bin(mask).count("1") for mask in reachable)
