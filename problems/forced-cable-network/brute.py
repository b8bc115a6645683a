from typing import List


class Solution:
    def forcedCableCosts(self, n: int, cables: List[List[int]]) -> List[int]:
        """Kruskal once per cable, with that cable taken first."""
        answers = []
        for forced in range(len(cables)):
            parent = list(range(n))

            def find(x):
                while parent[x] != x:
                    x = parent[x]
                return x

            cost = 0
            order = [forced] + sorted(range(len(cables)), key=lambda i: cables[i][2])
            for i in order:
                a, b, c = cables[i]
                if find(a) != find(b):
                    parent[find(a)] = find(b)
                    cost += c
            answers.append(cost)
        return answers
