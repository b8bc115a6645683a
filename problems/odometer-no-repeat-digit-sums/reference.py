def count_readings(lo: int, hi: int, k: int) -> int:
    # Digit DP. free[length][prev][r] counts digit strings of `length` whose first digit
    # differs from `prev` (10 = no previous digit), with no equal neighbours and digit
    # sum = r (mod k). Counting x <= N then walks N's digits once: O(19 * 11 * 10 * k).
    max_len = len(str(hi))
    free = [[[0] * k for _ in range(11)] for _ in range(max_len)]
    for prev in range(11):
        free[0][prev][0] = 1
    for length in range(1, max_len):
        shorter = free[length - 1]
        for prev in range(11):
            row = free[length][prev]
            for d in range(10):
                if d == prev:
                    continue
                tail = shorter[d]
                for r in range(k):
                    if tail[r]:
                        row[(r + d) % k] += tail[r]

    def at_most(n: int) -> int:
        """Lucky readings in [1, n]."""
        if n <= 0:
            return 0
        digits = [int(c) for c in str(n)]
        total = 0
        for length in range(1, len(digits)):
            for d in range(1, 10):
                total += free[length - 1][d][(-d) % k]
        prev, used = 10, 0
        for pos, top in enumerate(digits):
            rest = len(digits) - pos - 1
            for d in range(1 if pos == 0 else 0, top):
                if d != prev:
                    total += free[rest][d][(-(used + d)) % k]
            if top == prev:
                return total
            prev, used = top, used + top
        return total + (used % k == 0)

    return at_most(hi) - at_most(lo - 1)
