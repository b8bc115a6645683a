from typing import List


def min_joining_cost(widths: List[int]) -> int:
    # Try every sequence of adjacent joins.
    def best(pieces: tuple) -> int:
        if len(pieces) == 1:
            return 0
        return min(
            pieces[i] + pieces[i + 1] + best(pieces[:i] + (pieces[i] + pieces[i + 1],) + pieces[i + 2:])
            for i in range(len(pieces) - 1)
        )

    return best(tuple(widths))
