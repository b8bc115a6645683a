from heapq import heappush, heappushpop
from typing import List


class Solution:
    def maxCommissions(self, orders: List[List[int]]) -> int:
        """Scan by deadline; when the accepted work overruns, drop the longest accepted job.

        Among the first i jobs by deadline, the kept set is always a largest
        feasible set with the smallest total length (exchange argument: swapping
        any kept job for a shorter one never hurts later deadlines).
        """
        kept: List[int] = []  # max-heap of kept lengths, stored negated
        busy = 0
        for length, deadline in sorted(orders, key=lambda o: o[1]):
            busy += length
            if busy <= deadline:
                heappush(kept, -length)
            else:
                busy += heappushpop(kept, -length)  # drops the longest; subtracts its length
        return len(kept)
