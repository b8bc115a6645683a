from typing import List


def max_lanterns(n: int, streets: List[List[int]], lanterns: List[int], start: int, gates: List[int]) -> int:
    """Search over (current square, set of squares visited so far)."""
    seen = {(start, 1 << start)}
    todo = [(start, 1 << start)]
    while todo:
        v, mask = todo.pop()
        for u, w in streets:
            if u == v and (w, mask | 1 << w) not in seen:
                seen.add((w, mask | 1 << w))
                todo.append((w, mask | 1 << w))
    values = [sum(lanterns[i] for i in range(n) if mask >> i & 1) for v, mask in seen if v in gates]
    return max(values) if values else -1
