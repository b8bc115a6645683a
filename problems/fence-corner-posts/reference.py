from typing import List


def fence_corners(posts: List[List[int]]) -> List[List[int]]:
    """Andrew's monotone chain; popping on cross <= 0 drops posts that sit on a straight stretch."""
    pts = sorted(map(tuple, posts))
    if len(pts) <= 2:
        return [list(p) for p in pts]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def chain(points):
        out = []
        for p in points:
            while len(out) >= 2 and cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = chain(pts), chain(reversed(pts))
    return [list(p) for p in lower[:-1] + upper[:-1]]
