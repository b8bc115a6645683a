from typing import List


class Solution:
    def loneSpecies(self, sightings: List[int], queries: List[List[int]]) -> List[int]:
        """Sweep the right end; weight +1 on each species' last position, -1 on its second-to-last.

        For a fixed right end r, a species contributes to [l, r] exactly when
        l lies after its second-to-last sighting and at or before its last one,
        so the range sum of those weights over [l, r] is the answer. A Fenwick
        tree keeps the weights while r advances; queries are answered offline.
        """
        n = len(sightings)
        tree = [0] * (n + 1)

        def add(i: int, delta: int) -> None:
            i += 1
            while i <= n:
                tree[i] += delta
                i += i & -i

        def prefix(i: int) -> int:  # sum of weights at positions < i
            total = 0
            while i > 0:
                total += tree[i]
                i -= i & -i
            return total

        order = sorted(range(len(queries)), key=lambda k: queries[k][1])
        last: dict = {}
        second: dict = {}
        answers = [0] * len(queries)
        r = -1
        for k in order:
            l, qr = queries[k]
            while r < qr:
                r += 1
                v = sightings[r]
                if v in second:
                    add(second[v], 1)        # -1 -> 0: now third-to-last, irrelevant
                if v in last:
                    add(last[v], -2)         # +1 -> -1: now second-to-last
                    second[v] = last[v]
                add(r, 1)
                last[v] = r
            answers[k] = prefix(qr + 1) - prefix(l)
        return answers
