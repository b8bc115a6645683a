from collections import deque
from heapq import heappop, heappush
from typing import List


class Solution:
    def minEscortCost(self, loads: List[int], k: int) -> int:
        """best[i] = min over the last convoy (j, i] of best[j] + max(loads[j:i]), in O(n log n).

        best is non-decreasing in j, and within the window the maximum of
        loads[j:i] is constant between consecutive entries of a decreasing
        monotonic deque. So each deque block only needs its leftmost j: one
        candidate per adjacent deque pair (kept in a heap, dropped lazily once the
        pair breaks) plus one for the block at the window's left edge.
        """
        n = len(loads)
        best = [0] * (n + 1)
        window: deque = deque()
        in_window = [False] * n
        successor = [-1] * n
        pairs: list = []  # (best[p + 1] + loads[q], p, q) for adjacent deque entries p < q
        for i in range(1, n + 1):
            x = i - 1
            while window and loads[window[-1]] <= loads[x]:
                in_window[window.pop()] = False
            if window:
                p = window[-1]
                successor[p] = x
                heappush(pairs, (best[p + 1] + loads[x], p, x))
            window.append(x)
            in_window[x] = True
            successor[x] = -1
            lo = max(0, i - k)
            while window[0] < lo:
                in_window[window.popleft()] = False
            cost = best[lo] + loads[window[0]]
            while pairs and not (in_window[pairs[0][1]] and successor[pairs[0][1]] == pairs[0][2]):
                heappop(pairs)
            if pairs and pairs[0][0] < cost:
                cost = pairs[0][0]
            best[i] = cost
        return best[n]
