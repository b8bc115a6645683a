from itertools import product
from typing import List


def expected_glow(permille: List[int]) -> float:
    # Average the glow over all 2^n lit/unlit patterns, weighted by their probability.
    total = 0.0
    for pattern in product((False, True), repeat=len(permille)):
        weight = 1.0
        for lit, q in zip(pattern, permille):
            weight *= q / 1000 if lit else 1 - q / 1000
        glow, block = 0, 0
        for lit in pattern + (False,):
            if lit:
                block += 1
            else:
                glow += block * block
                block = 0
        total += weight * glow
    return total
