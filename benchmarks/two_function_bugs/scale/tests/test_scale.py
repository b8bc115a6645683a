from stats.scale import normalize, scale


def test_powers():
    assert normalize([1, 2, 4]) == [0.25, 0.5, 1.0]


def test_equal():
    assert normalize([3, 3]) == [1.0, 1.0]


def test_single():
    assert normalize([5]) == [1.0]


def test_scale():
    assert scale(1, 4) == 0.25
