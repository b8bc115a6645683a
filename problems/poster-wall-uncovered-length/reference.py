from typing import List


def uncovered_lengths(L: int, ops: List[List[int]]) -> List[int]:
    """Cover-count segment tree over compressed endpoints, updated bottom-up.

    A node's counter says how many posters cover its whole span; covered[node]
    is its full length when the counter is positive, otherwise the sum of its
    children. No push-down is needed because a poster is removed exactly at the
    nodes where it was added.
    """
    xs = sorted({0, L, *(op[1] for op in ops), *(op[2] for op in ops)})
    index = {x: i for i, x in enumerate(xs)}
    size = 1
    while size < len(xs) - 1:
        size *= 2
    span = [0] * (2 * size)
    for i in range(len(xs) - 1):
        span[size + i] = xs[i + 1] - xs[i]
    for i in range(size - 1, 0, -1):
        span[i] = span[2 * i] + span[2 * i + 1]
    count = [0] * (2 * size)
    covered = [0] * (2 * size)

    def fix(i: int) -> None:
        if count[i]:
            covered[i] = span[i]
        elif i >= size:
            covered[i] = 0
        else:
            covered[i] = covered[2 * i] + covered[2 * i + 1]

    answers = []
    for t, l, r in ops:
        delta = 1 if t == 1 else -1
        lo, hi = index[l] + size, index[r] + size
        left_leaf, right_leaf = lo, hi - 1
        while lo < hi:
            if lo & 1:
                count[lo] += delta
                fix(lo)
                lo += 1
            if hi & 1:
                hi -= 1
                count[hi] += delta
                fix(hi)
            lo >>= 1
            hi >>= 1
        for leaf in (left_leaf, right_leaf):
            i = leaf >> 1
            while i:
                fix(i)
                i >>= 1
        answers.append(L - covered[1])
    return answers
