import random
import string


def _word(rng: random.Random, n: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _mutate(rng: random.Random, s: str, changes: int, alphabet: str) -> str:
    chars = list(s)
    for _ in range(changes):
        chars[rng.randrange(len(chars))] = rng.choice(alphabet)
    return "".join(chars)


def _planted(rng: random.Random, n: int, m: int, alphabet: str) -> list:
    """A text stitched from near-copies of the pattern, so that many windows are close calls."""
    pattern = _word(rng, m, alphabet)
    pieces = []
    while sum(map(len, pieces)) < n:
        pieces.append(_mutate(rng, pattern, rng.choice([0, 1, 1, 2]), alphabet))
        pieces.append(_word(rng, rng.randint(0, 3), alphabet))
    return ["".join(pieces)[:n], pattern]


def generate(seed: int) -> list:
    rng = random.Random(seed)
    cases = [
        {"args": ["a", "a"], "small": True},
        {"args": ["a", "z"], "small": True},
        {"args": ["ab", "abc"], "small": True},
        {"args": ["ab", "ba"], "small": True},
        {"args": ["zzzzzz", "zzzzzz"], "small": True},
        {"args": ["zzzzzz", "zzyzzz"], "small": True},
        {"args": ["zzzzzz", "yzzzzy"], "small": True},
    ]
    for _ in range(30):
        alphabet = rng.choice(["ab", "abc", string.ascii_lowercase[:5]])
        n = rng.randint(1, 30)
        if rng.random() < 0.5:
            text, pattern = _planted(rng, n, rng.randint(1, max(1, n // 2)), alphabet)
        else:
            text, pattern = _word(rng, n, alphabet), _word(rng, rng.randint(1, n + 2), alphabet)
        cases.append({"args": [text, pattern], "small": True})
    for _ in range(9):
        n = rng.randint(500, 5000)
        cases.append({"args": _planted(rng, n, rng.randint(1, n // 3), rng.choice(["ab", "abcd"])), "small": False})
    # Maximum size: nearly uniform strings, so almost every window has to be read to its end.
    n, m = 6 * 10 ** 4, 3 * 10 ** 4
    sparse = list("a" * n)
    for _ in range(4):
        sparse[rng.randrange(n)] = "b"
    cases.append({"args": ["".join(sparse), "a" * m], "small": False})
    cases.append({"args": ["a" * n, "a" * (m // 2) + "b" + "a" * (m - m // 2 - 1)], "small": False})
    cases.append({"args": ["ab" * (n // 2), _mutate(rng, "ab" * (m // 2), 1, "ab")], "small": False})
    cases.append({"args": _planted(rng, n, 2000, string.ascii_lowercase), "small": False})
    return cases
