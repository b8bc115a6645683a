from itertools import permutations
from typing import List


def min_worst_delay(orders: List[List[int]]) -> int:
    best = None
    for sequence in permutations(orders):
        clock, worst = 0, 0
        for bake, promised in sequence:
            clock += bake
            worst = max(worst, clock - promised)
        best = worst if best is None else min(best, worst)
    return best
