from typing import List


def max_lanterns(n: int, streets: List[List[int]], lanterns: List[int], start: int, gates: List[int]) -> int:
    """Components from mutual reachability (a search from every square), then a memoised DP."""
    adj = [[] for _ in range(n)]
    for u, v in streets:
        adj[u].append(v)

    def reach(s):
        seen = {s}
        todo = [s]
        while todo:
            v = todo.pop()
            for w in adj[v]:
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        return seen

    reachable = {v: reach(v) for v in reach(start)}
    # squares grouped by their reach set: same set <=> same component
    comp_of = {}
    for v in reachable:
        comp_of[v] = min(w for w in reachable[v] if v in reachable[w])
    # components in decreasing order of reach size are a topological order; process reversed
    order = sorted(set(comp_of.values()), key=lambda c: len(reachable[c]))
    gate_set = set(gates)
    best = {}
    for c in order:
        members = [v for v in reachable if comp_of[v] == c]
        tail = 0 if gate_set.intersection(members) else -1
        for v in members:
            for w in adj[v]:
                if comp_of[w] != c:
                    tail = max(tail, best[comp_of[w]])
        best[c] = sum(lanterns[v] for v in members) + tail if tail >= 0 else -1
    return best[comp_of[start]]
