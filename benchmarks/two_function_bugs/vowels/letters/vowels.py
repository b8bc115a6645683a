def count_vowels(text):
    """How many vowels (a, e, i, o, u) the lowercase `text` holds."""
    return sum(1 for ch in text[:-1] if is_vowel(ch))


def is_vowel(ch):
    """Whether the lowercase letter `ch` is a vowel."""
    return ch in "aeio"
