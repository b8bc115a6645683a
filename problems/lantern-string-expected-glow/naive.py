from typing import List


def expected_glow(permille: List[int]) -> float:
    # Sum over every possible block [i, j]: P(exactly this block is maximal) * length^2.
    # Correct, but O(n^2).
    p = [q / 1000 for q in permille]
    n = len(p)
    total = 0.0
    for i in range(n):
        left = 1.0 if i == 0 else 1 - p[i - 1]
        inside = left
        for j in range(i, n):
            inside *= p[j]
            right = 1.0 if j == n - 1 else 1 - p[j + 1]
            total += inside * right * (j - i + 1) ** 2
    return total
