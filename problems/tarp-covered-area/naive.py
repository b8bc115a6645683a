from typing import List


class Solution:
    def coveredArea(self, tarps: List[List[int]]) -> int:
        """Sweep over x; at every event re-merge the y-intervals of all active tarps: O(n^2 log n)."""
        events = sorted({x for x1, _, x2, _ in tarps for x in (x1, x2)})
        area = 0
        for left, right in zip(events, events[1:]):
            active = sorted((y1, y2) for x1, y1, x2, y2 in tarps if x1 <= left and right <= x2)
            covered, end = 0, -1
            for y1, y2 in active:
                if y2 > end:
                    covered += y2 - max(y1, end)
                    end = y2
            area += covered * (right - left)
        return area
