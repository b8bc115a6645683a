def count_readings(lo: int, hi: int, k: int) -> int:
    # Build only stutter-free numbers digit by digit, skipping prefixes whose every
    # completion misses [lo, hi]: correct, but the stutter-free numbers inside a wide
    # range still number about 9^digits.
    count = 0

    def extend(prefix: int, remaining: int, last: int, digit_sum: int) -> None:
        nonlocal count
        span = 10 ** remaining
        if prefix * span > hi or prefix * span + span - 1 < lo:
            return
        if remaining == 0:
            count += digit_sum % k == 0
            return
        for d in range(10):
            if d != last:
                extend(prefix * 10 + d, remaining - 1, d, digit_sum + d)

    for length in range(len(str(lo)), len(str(hi)) + 1):
        for first in range(1, 10):
            extend(first, length - 1, first, first)
    return count
