from letters.vowels import count_vowels, is_vowel


def test_queue():
    assert count_vowels("queue") == 4


def test_mixed():
    assert count_vowels("umbrella tree") == 5


def test_none():
    assert count_vowels("xyz") == 0


def test_is_vowel():
    assert is_vowel("u") and is_vowel("a") and not is_vowel("b")
