from weather.convert import celsius_table, to_celsius


def test_freezing_and_boiling():
    assert celsius_table([32, 212]) == [0.0, 100.0]


def test_tenths():
    assert celsius_table([100, 0]) == [37.8, -17.8]


def test_body():
    assert celsius_table([98.6]) == [37.0]


def test_to_celsius():
    assert to_celsius(212) == 100
