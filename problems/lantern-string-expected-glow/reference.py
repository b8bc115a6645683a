from typing import List


def expected_glow(permille: List[int]) -> float:
    # Let L be the length of the lit block ending at lantern i (0 if i is unlit). Growing a
    # block from L to L + 1 adds (L + 1)^2 - L^2 = 2L + 1 to the glow, so by linearity the
    # answer is sum_i p_i * (2 * E[L_{i-1}] + 1), and E[L_i] = p_i * (E[L_{i-1}] + 1). O(n).
    total = 0.0
    run = 0.0
    for q in permille:
        p = q / 1000
        total += p * (2 * run + 1)
        run = p * (run + 1)
    return total
