from collections import Counter
from typing import List


class Solution:
    def loneSpecies(self, sightings: List[int], queries: List[List[int]]) -> List[int]:
        """Count every stretch from scratch: O(n) per query."""
        answers = []
        for l, r in queries:
            counts = Counter(sightings[l:r + 1])
            answers.append(sum(1 for c in counts.values() if c == 1))
        return answers
