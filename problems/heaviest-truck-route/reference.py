from typing import List


class Solution:
    def heaviestLoad(self, n: int, roads: List[List[int]], src: int, dst: int) -> int:
        """Open roads from the strongest down; the road that first joins src and dst is the answer."""
        parent = list(range(n))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b, w in sorted(roads, key=lambda r: -r[2]):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
                if find(src) == find(dst):
                    return w
        return -1
