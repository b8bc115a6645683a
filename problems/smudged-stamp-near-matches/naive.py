def count_near_matches(text: str, pattern: str) -> int:
    """Compare every window character by character, giving up after a second mismatch: O(n * m)."""
    n, m = len(text), len(pattern)
    count = 0
    for i in range(n - m + 1):
        mismatches = 0
        for j in range(m):
            if text[i + j] != pattern[j]:
                mismatches += 1
                if mismatches > 1:
                    break
        if mismatches <= 1:
            count += 1
    return count
