from typing import List


def min_joining_cost(widths: List[int]) -> int:
    # Interval DP over [i, j] with Knuth's optimisation: the cost of a block (its total
    # width) is monotone and satisfies the quadrangle inequality, so the best split
    # point is monotone, opt[i][j-1] <= opt[i][j] <= opt[i+1][j]; total work O(n^2).
    n = len(widths)
    prefix = [0] * (n + 1)
    for i, w in enumerate(widths):
        prefix[i + 1] = prefix[i] + w
    cost = [[0] * n for _ in range(n)]
    opt = [[0] * n for _ in range(n)]
    for i in range(n):
        opt[i][i] = i
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            row_i = cost[i]
            lo = opt[i][j - 1]
            hi = min(opt[i + 1][j], j - 1)
            best, arg = None, lo
            for k in range(lo, hi + 1):
                value = row_i[k] + cost[k + 1][j]
                if best is None or value < best:
                    best, arg = value, k
            row_i[j] = best + prefix[j + 1] - prefix[i]
            opt[i][j] = arg
    return cost[0][n - 1]
