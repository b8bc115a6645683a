from itertools import combinations
from typing import List


class Solution:
    def maxSessions(self, studentCaps: List[int], tutorCaps: List[int], pairs: List[List[int]]) -> int:
        """Try subsets of pairs, largest first, until one respects every cap."""
        for k in range(len(pairs), 0, -1):
            for chosen in combinations(pairs, k):
                used_s = [0] * len(studentCaps)
                used_t = [0] * len(tutorCaps)
                for i, j in chosen:
                    used_s[i] += 1
                    used_t[j] += 1
                if all(u <= c for u, c in zip(used_s, studentCaps)) and all(u <= c for u, c in zip(used_t, tutorCaps)):
                    return k
        return 0
