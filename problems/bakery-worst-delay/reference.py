from typing import List


def min_worst_delay(orders: List[List[int]]) -> int:
    """Bake in order of promised time.

    Exchange argument: if a cake promised earlier is baked right after one promised
    later, swapping them does not raise the larger of their two delays, so some
    optimal schedule is sorted by promised time.
    """
    clock = 0
    worst = 0
    for bake, promised in sorted(orders, key=lambda o: o[1]):
        clock += bake
        worst = max(worst, clock - promised)
    return worst
