from text.words import average_word_length, words


def test_two_words():
    assert average_word_length("ab abcd") == 3.0


def test_one_word():
    assert average_word_length("hello") == 5.0


def test_spaces_and_newlines():
    assert average_word_length("a  bb\nccc") == 2.0


def test_words():
    assert words("a b\tc") == ["a", "b", "c"]
