from typing import List


def min_joining_cost(widths: List[int]) -> int:
    # Plain interval DP trying every split point: correct, O(n^3).
    n = len(widths)
    prefix = [0] * (n + 1)
    for i, w in enumerate(widths):
        prefix[i + 1] = prefix[i] + w
    cost = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j] = min(cost[i][k] + cost[k + 1][j] for k in range(i, j)) + prefix[j + 1] - prefix[i]
    return cost[0][n - 1]
