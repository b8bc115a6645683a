MOD = 1_000_000_007


def count_flag_strings(n: int, m: int, k: int) -> int:
    # Choose the k colours: C(m, k). Strings over a fixed palette of j colours with no
    # equal neighbours: j * (j - 1)^(n - 1). Inclusion-exclusion over the palette's
    # subsets keeps those that use all k colours:
    #   sum_j (-1)^(k - j) * C(k, j) * j * (j - 1)^(n - 1).
    # O(k log n); n itself is never iterated.
    if k > n:
        return 0
    fact = [1] * (k + 1)
    for i in range(1, k + 1):
        fact[i] = fact[i - 1] * i % MOD
    inv = [1] * (k + 1)
    inv[k] = pow(fact[k], MOD - 2, MOD)
    for i in range(k, 0, -1):
        inv[i - 1] = inv[i] * i % MOD
    onto = 0
    for j in range(1, k + 1):
        term = fact[k] * inv[j] % MOD * inv[k - j] % MOD * j % MOD * pow(j - 1, n - 1, MOD) % MOD
        onto += -term if (k - j) % 2 else term
    choose_palette = 1
    for i in range(k):
        choose_palette = choose_palette * ((m - i) % MOD) % MOD
    choose_palette = choose_palette * inv[k] % MOD
    return onto % MOD * choose_palette % MOD
