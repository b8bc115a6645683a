from typing import List


def _z_function(s: str) -> List[int]:
    """z[i] = length of the longest common prefix of s and s[i:] (z[0] = len(s))."""
    n = len(s)
    z = [0] * n
    z[0] = n
    left = right = 0
    for i in range(1, n):
        k = 0
        if i < right:
            k = min(right - i, z[i - left])
        while i + k < n and s[k] == s[i + k]:
            k += 1
        z[i] = k
        if i + k > right:
            left, right = i, i + k
    return z


def count_near_matches(text: str, pattern: str) -> int:
    """A window matches with <= 1 mismatch iff its longest matching prefix plus its
    longest matching suffix cover at least m - 1 characters; both lengths come from
    a Z-function (the suffix one on the reversed strings), so the whole count is O(n + m)."""
    n, m = len(text), len(pattern)
    if m > n:
        return 0
    forward = _z_function(pattern + "#" + text)
    backward = _z_function(pattern[::-1] + "#" + text[::-1])
    count = 0
    for i in range(n - m + 1):
        prefix = forward[m + 1 + i]
        suffix = backward[m + 1 + (n - i - m)]
        if prefix + suffix >= m - 1:
            count += 1
    return count
