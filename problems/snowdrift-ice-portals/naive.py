from collections import deque
from typing import List


class Solution:
    def minDigs(self, grid: List[str]) -> int:
        """0-1 BFS that scans a letter's whole group every time one of its cells is popped."""
        rows, cols = len(grid), len(grid[0])
        cells = "".join(grid)
        groups = {}
        for i, ch in enumerate(cells):
            if ch.islower():
                groups.setdefault(ch, []).append(i)
        start, target = cells.index("S"), cells.index("T")
        dist = [float("inf")] * (rows * cols)
        dist[start] = 0
        queue = deque([(0, start)])
        while queue:
            d, cur = queue.popleft()
            if d > dist[cur]:
                continue
            neighbours = []
            r, c = divmod(cur, cols)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and cells[nr * cols + nc] != "%":
                    neighbours.append(nr * cols + nc)
            neighbours += groups.get(cells[cur], [])
            for nxt in neighbours:
                cost = 1 if cells[nxt] == "#" else 0
                if d + cost < dist[nxt]:
                    dist[nxt] = d + cost
                    if cost:
                        queue.append((d + 1, nxt))
                    else:
                        queue.appendleft((d, nxt))
        return -1 if dist[target] == float("inf") else int(dist[target])
