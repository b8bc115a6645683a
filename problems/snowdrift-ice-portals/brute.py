from typing import List


class Solution:
    def minDigs(self, grid: List[str]) -> int:
        """Relax every move and every slide over and over until no distance changes."""
        rows, cols = len(grid), len(grid[0])
        inf = float("inf")
        dist = {(r, c): inf for r in range(rows) for c in range(cols)}
        for r in range(rows):
            for c in range(cols):
                if grid[r][c] == "S":
                    dist[(r, c)] = 0
        changed = True
        while changed:
            changed = False
            for (r, c), d in list(dist.items()):
                if d == inf:
                    continue
                moves = []
                for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if (nr, nc) in dist and grid[nr][nc] != "%":
                        moves.append(((nr, nc), 1 if grid[nr][nc] == "#" else 0))
                if grid[r][c].islower():
                    moves += [(p, 0) for p in dist if grid[p[0]][p[1]] == grid[r][c]]
                for p, cost in moves:
                    if d + cost < dist[p]:
                        dist[p] = d + cost
                        changed = True
        for (r, c), d in dist.items():
            if grid[r][c] == "T":
                return -1 if d == inf else d
