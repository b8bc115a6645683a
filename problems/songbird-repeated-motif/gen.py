import random
import string


def _random(rng: random.Random, n: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _echoing(rng: random.Random, n: int, alphabet: str, motif_len: int) -> str:
    """Copies of one motif (sometimes damaged) separated by noise: long repeats with near-misses."""
    motif = _random(rng, motif_len, alphabet)
    out = []
    while sum(map(len, out)) < n:
        copy = list(motif)
        if rng.random() < 0.3:
            copy[rng.randrange(motif_len)] = rng.choice(alphabet)
        out.append("".join(copy))
        out.append(_random(rng, rng.randint(0, 4), alphabet))
    return "".join(out)[:n]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": ["a", 1], "small": True},
        {"args": ["ba", 1], "small": True},
        {"args": ["ab", 2], "small": True},
        {"args": ["zz", 2], "small": True},
        {"args": ["abcdefghij", 1], "small": True},
        {"args": ["abababab", 4], "small": True},
        {"args": ["qqqqqqqqq", 9], "small": True},
    ]
    for _ in range(30):
        n = rng.randint(1, 25)
        alphabet = rng.choice(["ab", "abc", string.ascii_lowercase])
        song = _random(rng, n, alphabet) if rng.random() < 0.5 else _echoing(rng, n, alphabet, rng.randint(1, 6))
        cases.append({"args": [song, rng.randint(1, min(n, 5))], "small": True})
    for _ in range(9):
        n = rng.randint(500, 5000)
        song = _echoing(rng, n, rng.choice(["ab", "abcd", string.ascii_lowercase]), rng.randint(5, n // 4))
        cases.append({"args": [song, rng.randint(2, 6)], "small": False})
    # Maximum size: long answers make every probe of a substring-counting solution copy ~n^2/4 characters.
    n = 5 * 10 ** 4
    cases.append({"args": ["a" * n, 2], "small": False})
    cases.append({"args": [_echoing(rng, n, "ab", n // 3), 2], "small": False})
    cases.append({"args": [_echoing(rng, n, "abcd", n // 4), 3], "small": False})
    cases.append({"args": [("abcab" * n)[:n - 1] + "z", 3], "small": False})
    cases.append({"args": [_random(rng, n, string.ascii_lowercase), 2], "small": False})
    return cases
