from typing import List


class Solution:
    def loneSpecies(self, sightings: List[int], queries: List[List[int]]) -> List[int]:
        answers = []
        for l, r in queries:
            stretch = sightings[l:r + 1]
            answers.append(sum(1 for s in set(stretch) if stretch.count(s) == 1))
        return answers
