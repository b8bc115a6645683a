from typing import List


def earliest_finish(durations: List[int], rules: List[List[int]]) -> int:
    """Push start times up until every rule holds; still moving after n rounds means a cycle."""
    n = len(durations)
    start = [0] * n
    for _ in range(n + 1):
        moved = False
        for a, b, lag in rules:
            if start[b] < start[a] + durations[a] + lag:
                start[b] = start[a] + durations[a] + lag
                moved = True
        if not moved:
            return max(s + d for s, d in zip(start, durations))
    return -1
