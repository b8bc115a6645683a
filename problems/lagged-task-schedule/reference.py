from collections import deque
from typing import List


def earliest_finish(durations: List[int], rules: List[List[int]]) -> int:
    """Kahn's topological order; each task starts at the latest of its predecessors' finish plus lag.

    Durations are positive, so any cycle of rules is impossible to meet, and a
    cycle is exactly what leaves tasks out of the topological order.
    """
    n = len(durations)
    after = [[] for _ in range(n)]
    waiting = [0] * n
    for a, b, lag in rules:
        after[a].append((b, lag))
        waiting[b] += 1
    start = [0] * n
    queue = deque(i for i in range(n) if waiting[i] == 0)
    done = 0
    while queue:
        a = queue.popleft()
        done += 1
        finish = start[a] + durations[a]
        for b, lag in after[a]:
            if finish + lag > start[b]:
                start[b] = finish + lag
            waiting[b] -= 1
            if waiting[b] == 0:
                queue.append(b)
    if done < n:
        return -1
    return max(s + d for s, d in zip(start, durations))
