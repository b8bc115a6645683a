from typing import List


class Solution:
    def fewestTrips(self, weights: List[int], capacity: int) -> int:
        # For every set of crates already delivered, keep the best (trips, load of the
        # trip still being filled); lexicographic order is safe because a lighter open
        # trip never hurts. O(2^n * n) instead of enumerating submasks (O(3^n)).
        n = len(weights)
        full = (1 << n) - 1
        worst = (n + 1, 0)
        best = [worst] * (full + 1)
        best[0] = (1, 0)
        bits = [(1 << i, w) for i, w in enumerate(weights)]
        for mask in range(full):
            trips, load = best[mask]
            if trips > n:
                continue
            for bit, w in bits:
                if mask & bit:
                    continue
                cand = (trips, load + w) if load + w <= capacity else (trips + 1, w)
                nxt = mask | bit
                if cand < best[nxt]:
                    best[nxt] = cand
        return best[full][0]
