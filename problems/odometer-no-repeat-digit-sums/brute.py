def count_readings(lo: int, hi: int, k: int) -> int:
    # Check every reading in the range.
    count = 0
    for x in range(lo, hi + 1):
        s = str(x)
        if all(a != b for a, b in zip(s, s[1:])) and sum(map(int, s)) % k == 0:
            count += 1
    return count
