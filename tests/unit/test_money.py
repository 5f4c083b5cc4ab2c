import pytest

from goodword.money import Money, minor_unit_exponent, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("19.99", "USD", 1999),
        ("1,299.9", "EUR", 129990),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("0", "USD", 0),
    ],
)
def test_amounts_become_integer_minor_units(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"), [("19.999", "USD"), ("1.5", "JPY"), ("abc", "USD"), ("NaN", "USD")]
)
def test_amounts_that_do_not_fit_the_currency_are_refused(text: str, currency: str) -> None:
    with pytest.raises(ValueError, match=repr(text)):
        parse_amount(text, currency)


def test_an_unknown_currency_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="'XYZ'"):
        minor_unit_exponent("XYZ")


def test_money_prints_with_the_currency_decimals() -> None:
    assert str(Money(1999, "USD")) == "19.99 USD"
    assert str(Money(500, "JPY")) == "500 JPY"
