import random
import string


def _palindromable(rng: random.Random, length: int, alphabet: str) -> str:
    half = [rng.choice(alphabet) for _ in range(length // 2)]
    middle = [rng.choice(alphabet)] if length % 2 else []
    tiles = half + half + middle
    rng.shuffle(tiles)
    return "".join(tiles)


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": ["z"], "small": True},
        {"args": ["ab"], "small": True},
        {"args": ["aaaaaaaa"], "small": True},
        {"args": ["abcdabcd"], "small": True},
        {"args": ["aabbccdde"], "small": True},
        {"args": ["aabbccdef"], "small": True},
    ]
    for _ in range(32):
        length = rng.randint(1, 9)
        alphabet = string.ascii_lowercase[: rng.randint(1, 5)]
        if rng.random() < 0.7:
            tiles = _palindromable(rng, length, alphabet)
        else:
            tiles = "".join(rng.choice(alphabet) for _ in range(length))
        cases.append({"args": [tiles], "small": True})
    for _ in range(6):
        length = rng.randint(100, 5000)
        cases.append({"args": [_palindromable(rng, length, string.ascii_lowercase)], "small": False})
    n = 10**5
    cases.append({"args": [_palindromable(rng, n, string.ascii_lowercase)], "small": False})
    cases.append({"args": [_palindromable(rng, n - 1, string.ascii_lowercase)], "small": False})
    cases.append({"args": [_palindromable(rng, n, "ab")], "small": False})
    cases.append({"args": ["a" * n], "small": False})
    cases.append({"args": [_palindromable(rng, n, string.ascii_lowercase)[:-2] + "xy"], "small": False})
    cases.append({"args": [string.ascii_lowercase * 2 * (n // 52)], "small": False})
    return cases
