from shop.cart import Cart, Item


def test_two_items():
    assert Cart([Item(10, 0.5), Item(20, 0.0)]).total() == 35


def test_one_item():
    assert Cart([Item(100, 0.25)]).total() == 125


def test_empty():
    assert Cart([]).total() == 0


def test_item():
    assert Item(10, 0.5).price_with_tax() == 15
