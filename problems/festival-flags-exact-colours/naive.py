MOD = 1_000_000_007


def count_flag_strings(n: int, m: int, k: int) -> int:
    # Flag by flag, track how many distinct colours are in use so far: the next flag either
    # repeats one of the other c - 1 used colours or opens one of the m - c unused ones.
    # Correct, but O(n * k).
    if k > n:
        return 0
    ways = [0] * (k + 1)
    ways[1] = m % MOD
    for _ in range(n - 1):
        nxt = [0] * (k + 1)
        for c in range(1, k + 1):
            if ways[c]:
                nxt[c] = (nxt[c] + ways[c] * (c - 1)) % MOD
                if c < k:
                    nxt[c + 1] = (nxt[c + 1] + ways[c] * (m - c)) % MOD
        ways = nxt
    return ways[k]
