from itertools import product

MOD = 1_000_000_007


def count_flag_strings(n: int, m: int, k: int) -> int:
    # Every colouring of the n flags.
    return sum(
        1
        for flags in product(range(m), repeat=n)
        if all(a != b for a, b in zip(flags, flags[1:])) and len(set(flags)) == k
    ) % MOD
