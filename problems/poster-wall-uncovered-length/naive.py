from typing import List


def uncovered_lengths(L: int, ops: List[List[int]]) -> List[int]:
    """Compressed coordinates, but every event rescans all elementary pieces: O(q * n)."""
    xs = sorted({0, L, *(op[1] for op in ops), *(op[2] for op in ops)})
    index = {x: i for i, x in enumerate(xs)}
    widths = [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]
    layers = [0] * len(widths)
    answers = []
    for t, l, r in ops:
        delta = 1 if t == 1 else -1
        for i in range(index[l], index[r]):
            layers[i] += delta
        free = 0
        for i in range(len(widths)):
            if layers[i] == 0:
                free += widths[i]
        answers.append(free)
    return answers
