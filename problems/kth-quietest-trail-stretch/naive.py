import heapq
from typing import List


def kth_quietest_stretch(noise: List[int], k: int) -> int:
    """Merge the n sorted rows 'stretches starting at i' with a heap: O(k log n)."""
    n = len(noise)
    heap = [(noise[i], i, i) for i in range(n)]
    heapq.heapify(heap)
    for _ in range(k - 1):
        total, i, j = heapq.heappop(heap)
        if j + 1 < n:
            heapq.heappush(heap, (total + noise[j + 1], i, j + 1))
    return heap[0][0]
