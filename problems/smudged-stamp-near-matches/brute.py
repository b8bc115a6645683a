def count_near_matches(text: str, pattern: str) -> int:
    m = len(pattern)
    return sum(
        1
        for i in range(len(text) - m + 1)
        if sum(a != b for a, b in zip(text[i:i + m], pattern)) <= 1
    )
