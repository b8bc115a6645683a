from typing import List


def min_fill_time(slowness: List[int], litres: int) -> int:
    """Step the clock one second at a time, letting each pump finish litres as they complete."""
    done = [0] * len(slowness)           # litres finished by each pump
    next_finish = list(slowness)         # the moment each pump finishes its next litre
    clock, total = 0, 0
    while total < litres:
        clock += 1
        for i, a in enumerate(slowness):
            if next_finish[i] == clock:
                done[i] += 1
                total += 1
                next_finish[i] = clock + a * (done[i] + 1)
    return clock
