def average_word_length(text):
    """The mean number of letters per word of `text` (words are separated by whitespace)."""
    found = words(text)
    return sum(len(w) for w in found) / len(text)


def words(text):
    """The words of `text`, split on any whitespace."""
    return text.split(",")
