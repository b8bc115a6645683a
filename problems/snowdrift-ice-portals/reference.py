from collections import deque
from typing import List


class Solution:
    def minDigs(self, grid: List[str]) -> int:
        """0-1 BFS on cells; each letter's slide group is expanded only the first time it is reached.

        The first cell of a group popped from the deque has the group's smallest
        distance, so expanding the group later again can never improve anything:
        this keeps the total work O(rows * cols) instead of O(pond cells ^ 2).
        """
        rows, cols = len(grid), len(grid[0])
        cells = "".join(grid)
        size = rows * cols
        groups = {}
        for i, ch in enumerate(cells):
            if ch.islower():
                groups.setdefault(ch, []).append(i)
        start, target = cells.index("S"), cells.index("T")
        inf = size + 1
        dist = [inf] * size
        dist[start] = 0
        queue = deque([start])
        while queue:
            cur = queue.popleft()
            d = dist[cur]
            if cur == target:
                return d
            ch = cells[cur]
            if ch in groups:
                for other in groups.pop(ch):
                    if d < dist[other]:
                        dist[other] = d
                        queue.appendleft(other)
            r, c = divmod(cur, cols)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols:
                    nxt = nr * cols + nc
                    cell = cells[nxt]
                    if cell == "%":
                        continue
                    if cell == "#":
                        if d + 1 < dist[nxt]:
                            dist[nxt] = d + 1
                            queue.append(nxt)
                    elif d < dist[nxt]:
                        dist[nxt] = d
                        queue.appendleft(nxt)
        return -1
