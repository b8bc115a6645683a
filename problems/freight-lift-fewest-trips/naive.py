from typing import List


class Solution:
    def fewestTrips(self, weights: List[int], capacity: int) -> int:
        # dp[mask] = fewest trips for the crates in mask, trying every sub-load that
        # contains the lowest crate of mask: correct, but O(3^n).
        n = len(weights)
        full = (1 << n) - 1
        total = [0] * (full + 1)
        for mask in range(1, full + 1):
            low = mask & -mask
            total[mask] = total[mask ^ low] + weights[low.bit_length() - 1]
        dp = [n + 1] * (full + 1)
        dp[0] = 0
        for mask in range(1, full + 1):
            low = mask & -mask
            rest = mask ^ low
            sub = rest
            while True:
                load = sub | low
                if total[load] <= capacity and dp[mask ^ load] + 1 < dp[mask]:
                    dp[mask] = dp[mask ^ load] + 1
                if sub == 0:
                    break
                sub = (sub - 1) & rest
        return dp[full]
