from itertools import product
from typing import List


class Solution:
    def minDispatchCost(self, loads: List[int], fee: int) -> int:
        # Try every set of cut points between neighbouring lorries.
        best = None
        for cuts in product((False, True), repeat=len(loads) - 1):
            total, batch = 0, loads[0]
            for cut, load in zip(cuts, loads[1:]):
                if cut:
                    total += batch * batch + fee
                    batch = 0
                batch += load
            total += batch * batch + fee
            best = total if best is None else min(best, total)
        return best
