from typing import List


class Solution:
    def coveredArea(self, tarps: List[List[int]]) -> int:
        """Sweep a vertical line over x; a segment tree over the distinct y values keeps the covered length.

        Each node stores how many tarps cover its whole y-range and the covered
        length inside it, so an update is O(log n) and the covered length is the
        root's value: O(n log n) overall.
        """
        ys = sorted({y for _, y1, _, y2 in tarps for y in (y1, y2)})
        index = {y: i for i, y in enumerate(ys)}
        events = []
        for x1, y1, x2, y2 in tarps:
            events.append((x1, 1, index[y1], index[y2]))
            events.append((x2, -1, index[y1], index[y2]))
        events.sort()
        leaves = len(ys) - 1
        size = 4 * max(leaves, 1)
        cover = [0] * size
        length = [0] * size

        def update(node, lo, hi, a, b, delta):
            """Add `delta` cover on elementary y-intervals [a, b) inside node range [lo, hi)."""
            if a <= lo and hi <= b:
                cover[node] += delta
            else:
                mid = (lo + hi) // 2
                if a < mid:
                    update(2 * node, lo, mid, a, b, delta)
                if b > mid:
                    update(2 * node + 1, mid, hi, a, b, delta)
            if cover[node]:
                length[node] = ys[hi] - ys[lo]
            elif hi - lo == 1:
                length[node] = 0
            else:
                length[node] = length[2 * node] + length[2 * node + 1]

        area = 0
        prev_x = events[0][0]
        for x, delta, a, b in events:
            area += length[1] * (x - prev_x)
            prev_x = x
            update(1, 0, leaves, a, b, delta)
        return area
