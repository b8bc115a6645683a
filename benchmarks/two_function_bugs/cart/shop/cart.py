class Item:
    def __init__(self, price, tax):
        self.price = price
        self.tax = tax

    def price_with_tax(self):
        """The price plus the tax (`tax` is a fraction: 0.2 means 20%)."""
        return self.price * self.tax


class Cart:
    def __init__(self, items):
        self.items = items

    def total(self):
        """What all the items cost, tax included."""
        return sum(item.price_with_tax() for item in self.items[1:])
