from itertools import combinations
from typing import List


def fence_corners(posts: List[List[int]]) -> List[List[int]]:
    """A post is a corner unless it lies on a segment or in a triangle spanned by other posts."""
    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def on_segment(p, a, b):
        return (cross(a, b, p) == 0 and min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
                and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))

    def in_triangle(p, a, b, c):
        if cross(a, b, c) == 0:  # flat: covered by the segment checks
            return False
        signs = [cross(a, b, p), cross(b, c, p), cross(c, a, p)]
        return all(s >= 0 for s in signs) or all(s <= 0 for s in signs)

    corners = []
    for i, p in enumerate(posts):
        others = posts[:i] + posts[i + 1:]
        covered = (any(on_segment(p, a, b) for a, b in combinations(others, 2))
                   or any(in_triangle(p, a, b, c) for a, b, c in combinations(others, 3)))
        if not covered:
            corners.append(p)
    return corners
