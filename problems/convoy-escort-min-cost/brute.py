from itertools import product
from typing import List


class Solution:
    def minEscortCost(self, loads: List[int], k: int) -> int:
        """Try every set of cut points between neighbouring lorries."""
        n = len(loads)
        best = None
        for cuts in product((False, True), repeat=n - 1):
            bounds = [0] + [i + 1 for i, cut in enumerate(cuts) if cut] + [n]
            groups = [loads[a:b] for a, b in zip(bounds, bounds[1:])]
            if all(len(g) <= k for g in groups):
                fee = sum(max(g) for g in groups)
                best = fee if best is None else min(best, fee)
        return best
