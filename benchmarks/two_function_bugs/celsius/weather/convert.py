def celsius_table(fahrenheit):
    """Each Fahrenheit reading in degrees Celsius, rounded to tenths."""
    return [round(to_celsius(f)) for f in fahrenheit]


def to_celsius(f):
    """Fahrenheit to Celsius."""
    return (f - 32) * 9 / 5
