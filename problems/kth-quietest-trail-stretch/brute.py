from typing import List


def kth_quietest_stretch(noise: List[int], k: int) -> int:
    totals = sorted(sum(noise[i:j + 1]) for i in range(len(noise)) for j in range(i, len(noise)))
    return totals[k - 1]
