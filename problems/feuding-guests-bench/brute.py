from itertools import permutations
from typing import List


class Solution:
    def countSeatings(self, n: int, feuds: List[List[int]]) -> int:
        # Check every order.
        banned = {frozenset(pair) for pair in feuds}
        return sum(
            all(frozenset((a, b)) not in banned for a, b in zip(order, order[1:]))
            for order in permutations(range(n))
        )
