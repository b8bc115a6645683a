from bisect import bisect_left
from itertools import accumulate, repeat
from typing import List


def kth_quietest_stretch(noise: List[int], k: int) -> int:
    """Binary search the smallest total T such that at least k stretches have total <= T.

    Prefix sums are strictly increasing (all noise is positive), so the stretches
    ending at j with total <= T start at or after bisect_left(prefix, prefix[j] - T);
    counting them costs O(n log n) per probe.
    """
    prefix = list(accumulate(noise, initial=0))
    n = len(noise)
    all_ends = n * (n + 1) // 2  # sum over j of j, for j = 1..n

    def at_most(total: int) -> int:
        ends = prefix[1:]
        return all_ends - sum(map(bisect_left, repeat(prefix), (p - total for p in ends)))

    lo, hi = min(noise), prefix[-1]
    while lo < hi:
        mid = (lo + hi) // 2
        if at_most(mid) >= k:
            hi = mid
        else:
            lo = mid + 1
    return lo
