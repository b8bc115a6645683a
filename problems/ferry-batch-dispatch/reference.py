from typing import List


class Solution:
    def minDispatchCost(self, loads: List[int], fee: int) -> int:
        # best[i] = min over j < i of best[j] + (P[i] - P[j])^2 + fee, with P the prefix
        # sums. Expanding the square turns each j into a line y = -2*P[j]*x + best[j] + P[j]^2
        # evaluated at x = P[i]. Slopes fall and queries rise (loads are positive), so a
        # monotone deque of the lower hull answers every query in amortised O(1): O(n).
        prefix = 0
        slopes = [0]
        icepts = [0]
        head = 0
        best = 0
        for load in loads:
            prefix += load
            x = prefix
            while head + 1 < len(slopes) and slopes[head + 1] * x + icepts[head + 1] <= slopes[head] * x + icepts[head]:
                head += 1
            best = slopes[head] * x + icepts[head] + x * x + fee
            slope, icept = -2 * x, best + x * x
            # Drop the last line while the new one makes it useless everywhere.
            while len(slopes) - head >= 2:
                s1, c1, s2, c2 = slopes[-2], icepts[-2], slopes[-1], icepts[-1]
                if (icept - c1) * (s1 - s2) <= (c2 - c1) * (s1 - slope):
                    slopes.pop()
                    icepts.pop()
                else:
                    break
            slopes.append(slope)
            icepts.append(icept)
        return best
