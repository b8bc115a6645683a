from typing import List


def uncovered_lengths(L: int, ops: List[List[int]]) -> List[int]:
    """One counter per metre of wall (only usable for small L)."""
    layers = [0] * L
    answers = []
    for t, l, r in ops:
        for x in range(l, r):
            layers[x] += 1 if t == 1 else -1
        answers.append(sum(1 for c in layers if c == 0))
    return answers
