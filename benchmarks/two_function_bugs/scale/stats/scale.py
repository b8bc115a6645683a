def normalize(values):
    """Scale the values so that the largest becomes 1.0."""
    top = sum(values)
    return [scale(v, top) for v in values]


def scale(value, top):
    """`value` as a fraction of `top`."""
    return value * top
