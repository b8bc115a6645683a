from typing import List


def max_lanterns(n: int, streets: List[List[int]], lanterns: List[int], start: int, gates: List[int]) -> int:
    """Tarjan's SCCs from `start` (iterative), then a longest-path DP over the condensation.

    Inside one strongly connected component every square can be visited, so a
    component is worth the sum of its lanterns; Tarjan emits components sinks
    first, which is exactly the order the DP needs.
    """
    adj = [[] for _ in range(n)]
    for u, v in streets:
        adj[u].append(v)
    is_gate = [False] * n
    for g in gates:
        is_gate[g] = True

    index = [-1] * n
    low = [0] * n
    comp = [-1] * n
    on_stack = [False] * n
    stack = []
    best = []  # best[c]: most lanterns from entering component c to leaving by a gate, or -1
    counter = 0
    index[start] = low[start] = counter
    counter += 1
    stack.append(start)
    on_stack[start] = True
    work = [(start, 0)]
    while work:
        v, i = work[-1]
        edges = adj[v]
        if i < len(edges):
            work[-1] = (v, i + 1)
            w = edges[i]
            if index[w] < 0:
                index[w] = low[w] = counter
                counter += 1
                stack.append(w)
                on_stack[w] = True
                work.append((w, 0))
            elif on_stack[w] and index[w] < low[v]:
                low[v] = index[w]
            continue
        work.pop()
        if work:
            parent = work[-1][0]
            if low[v] < low[parent]:
                low[parent] = low[v]
        if low[v] != index[v]:
            continue
        c = len(best)
        members = []
        while True:
            w = stack.pop()
            on_stack[w] = False
            comp[w] = c
            members.append(w)
            if w == v:
                break
        total = sum(lanterns[w] for w in members)
        tail = 0 if any(is_gate[w] for w in members) else -1
        for w in members:
            for x in adj[w]:
                cx = comp[x]
                if cx != c and best[cx] > tail:
                    tail = best[cx]
        best.append(total + tail if tail >= 0 else -1)
    return best[comp[start]]
