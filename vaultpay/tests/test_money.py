from decimal import Decimal

import pytest

from vaultpay.money import (
    CURRENCIES,
    AmountInvalid,
    AmountNotPositive,
    AmountTooLarge,
    AmountTooPrecise,
    CurrencyUnsupported,
    Money,
    format_minor,
    parse_amount,
)

USD, JPY, KWD = CURRENCIES["USD"], CURRENCIES["JPY"], CURRENCIES["KWD"]


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [("12.50", USD, 1250), ("0.01", USD, 1), ("7", USD, 700), (5, USD, 500), ("1200", JPY, 1200), ("1.234", KWD, 1234)],
)
def test_parse_amount_converts_to_minor_units(raw, currency, minor):
    assert parse_amount(raw, currency) == minor


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("0", AmountNotPositive),
        ("0.00", AmountNotPositive),
        ("-1", AmountNotPositive),
        ("1.001", AmountTooPrecise),
        ("1e309", AmountInvalid),
        ("1E2", AmountInvalid),
        ("NaN", AmountInvalid),
        ("Infinity", AmountInvalid),
        ("", AmountInvalid),
        ("twelve", AmountInvalid),
        (12.5, AmountInvalid),
        (True, AmountInvalid),
        (None, AmountInvalid),
        ([1], AmountInvalid),
        ({"value": 1}, AmountInvalid),
        ("100000000000.01", AmountTooLarge),
        ("9" * 60, AmountTooLarge),
    ],
)
def test_parse_amount_refuses_bad_input(raw, error):
    with pytest.raises(error):
        parse_amount(raw, USD)


def test_yen_has_no_minor_unit():
    with pytest.raises(AmountTooPrecise):
        parse_amount("1.5", JPY)


def test_money_parse_normalises_currency_case_and_refuses_unknown():
    assert Money.parse("1.00", "usd") == Money(100, USD)
    with pytest.raises(CurrencyUnsupported):
        Money.parse("1.00", "XXX")
    with pytest.raises(CurrencyUnsupported):
        Money.parse("1.00", 840)


@pytest.mark.parametrize(
    ("minor", "code", "text"),
    [
        (1250, "USD", "12.50"),
        (5, "USD", "0.05"),
        (0, "USD", "0.00"),
        (-300, "USD", "-3.00"),
        (1200, "JPY", "1200"),
        (1, "KWD", "0.001"),
    ],
)
def test_format_minor(minor, code, text):
    assert format_minor(minor, code) == text
    assert Decimal(text).scaleb(CURRENCIES[code].exponent) == minor
