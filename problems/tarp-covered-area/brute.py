from typing import List


class Solution:
    def coveredArea(self, tarps: List[List[int]]) -> int:
        """Cut the plane at every tarp edge and add up the grid cells some tarp contains."""
        xs = sorted({x for x1, _, x2, _ in tarps for x in (x1, x2)})
        ys = sorted({y for _, y1, _, y2 in tarps for y in (y1, y2)})
        area = 0
        for i in range(len(xs) - 1):
            for j in range(len(ys) - 1):
                if any(x1 <= xs[i] and xs[i + 1] <= x2 and y1 <= ys[j] and ys[j + 1] <= y2 for x1, y1, x2, y2 in tarps):
                    area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
        return area
