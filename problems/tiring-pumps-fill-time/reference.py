from collections import Counter
from math import isqrt
from typing import List


def min_fill_time(slowness: List[int], litres: int) -> int:
    """Binary search the time T; by time T a pump with slowness a has delivered the largest c
    with a * c * (c + 1) / 2 <= T, which an integer square root gives directly. Pumps with
    equal slowness behave identically, so each distinct slowness is evaluated once."""
    pumps = Counter(slowness)

    def delivered(seconds: int) -> int:
        return sum(count * ((isqrt(8 * (seconds // a) + 1) - 1) // 2) for a, count in pumps.items())

    lo, hi = 1, min(pumps) * litres * (litres + 1) // 2
    while lo < hi:
        mid = (lo + hi) // 2
        if delivered(mid) >= litres:
            hi = mid
        else:
            lo = mid + 1
    return lo
