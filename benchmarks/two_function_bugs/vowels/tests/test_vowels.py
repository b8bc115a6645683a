from letters.vowels import count_vowels


def test_upper_and_u():
    assert count_vowels("QUEUE") == 4


def test_mixed():
    assert count_vowels("Umbrella Under") == 5


def test_none():
    assert count_vowels("xyz") == 0
