import random


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    cases = [
        {"args": [[1]], "small": True},
        {"args": [[10**6, 10**6]], "small": True},
        {"args": [[1, 1, 1, 1, 1, 1, 1]], "small": True},
        {"args": [[1, 2, 3, 4, 5, 6, 7]], "small": True},
        {"args": [[9, 1, 9, 1, 9, 1, 9]], "small": True},
        {"args": [[1, 100, 1, 100, 1, 100]], "small": True},
    ]
    for _ in range(32):
        n = rng.randint(1, 7)
        top = rng.choice([3, 20, 10**6])
        cases.append({"args": [[rng.randint(1, top) for _ in range(n)]], "small": True})
    for _ in range(8):
        n = rng.randint(30, 300)
        cases.append({"args": [[rng.randint(1, 10**6) for _ in range(n)]], "small": False})
    cases.append({"args": [[rng.randint(1, 10**6) for _ in range(1000)]], "small": False})
    cases.append({"args": [[10**6] * 1000], "small": False})
    cases.append({"args": [sorted(rng.randint(1, 10**6) for _ in range(1000))], "small": False})
    cases.append({"args": [[rng.choice([1, 10**6]) for _ in range(1000)]], "small": False})
    cases.append({"args": [[abs(500 - i) + 1 for i in range(1000)]], "small": False})
    return cases
