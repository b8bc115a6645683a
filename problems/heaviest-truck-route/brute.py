from typing import List


class Solution:
    def heaviestLoad(self, n: int, roads: List[List[int]], src: int, dst: int) -> int:
        """Try every road limit as the truck's weight, heaviest first, with a plain search."""
        for weight in sorted({w for _, _, w in roads}, reverse=True):
            seen, todo = {src}, [src]
            while todo:
                v = todo.pop()
                for a, b, w in roads:
                    if w >= weight:
                        for x, y in ((a, b), (b, a)):
                            if x == v and y not in seen:
                                seen.add(y)
                                todo.append(y)
            if dst in seen:
                return weight
        return -1
