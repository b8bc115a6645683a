from typing import List


def reachable_islands(n: int, bridges: List[List[int]], queries: List[List[int]]) -> List[int]:
    """Answer questions from the highest water level down, adding bridges to a union-find as they surface.

    Lowering the water only ever adds bridges, so one pass over bridges sorted by
    height serves all questions: O((m + q) log(m + q)).
    """
    parent = list(range(n))
    size = [1] * n

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    order = sorted(bridges, key=lambda b: -b[2])
    answers = [0] * len(queries)
    k = 0
    for qi in sorted(range(len(queries)), key=lambda i: -queries[i][1]):
        v, level = queries[qi]
        while k < len(order) and order[k][2] > level:
            ra, rb = find(order[k][0]), find(order[k][1])
            if ra != rb:
                if size[ra] < size[rb]:
                    ra, rb = rb, ra
                parent[rb] = ra
                size[ra] += size[rb]
            k += 1
        answers[qi] = size[find(v)]
    return answers
