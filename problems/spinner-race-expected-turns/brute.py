from functools import lru_cache


def expected_turns(goal: int, sectors: int) -> float:
    # The defining recurrence, summing every spin outcome.
    @lru_cache(maxsize=None)
    def expect(square: int) -> float:
        if square >= goal:
            return 0.0
        return 1 + sum(expect(square + k) for k in range(1, sectors + 1)) / sectors

    for square in range(goal, -1, -1):  # fill bottom-up so recursion stays shallow
        expect(square)
    return expect(0)
