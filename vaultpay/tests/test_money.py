from decimal import Decimal

import pytest

from vaultpay.money import (
    CURRENCIES,
    AmountInvalid,
    AmountNotPositive,
    AmountTooLarge,
    AmountTooPrecise,
    CurrencyInvalid,
    CurrencyUnsupported,
    Money,
    amount_canonical,
    currency_for,
    format_minor,
    parse_amount,
)

USD, JPY, KWD = CURRENCIES["USD"], CURRENCIES["JPY"], CURRENCIES["KWD"]


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [
        ("12.50", USD, 1250),
        ("0.01", USD, 1),
        ("7", USD, 700),
        ("007.10", USD, 710),
        ("1.500", USD, 150),
        ("1200", JPY, 1200),
        ("1.234", KWD, 1234),
    ],
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
        (5, AmountInvalid),
        (" 1.00", AmountInvalid),
        ("1.00 ", AmountInvalid),
        ("1.00\n", AmountInvalid),
        ("+1.00", AmountInvalid),
        ("1_000", AmountInvalid),
        ("1,000.00", AmountInvalid),
        ("１２", AmountInvalid),
        ("٣", AmountInvalid),
        (".5", AmountInvalid),
        ("5.", AmountInvalid),
        ("0x10", AmountInvalid),
        ("0.999999999999999999999999999999", AmountTooPrecise),
        ("1." + "1" * 10_000, AmountTooPrecise),
    ],
)
def test_parse_amount_refuses_bad_input(raw, error):
    with pytest.raises(error):
        parse_amount(raw, USD)


def test_yen_has_no_minor_unit():
    with pytest.raises(AmountTooPrecise):
        parse_amount("1.5", JPY)


def test_money_parse_takes_exact_codes_and_refuses_unknown():
    assert Money.parse("1.00", "USD") == Money(100, USD)
    with pytest.raises(CurrencyUnsupported):
        Money.parse("1.00", "XXX")


@pytest.mark.parametrize("code", ["usd", "Usd", "USDX", "US", " USD", "USD\n", "ＵＳＤ", "\ud800", 840, None, ["USD"]])
def test_currency_must_be_three_upper_case_ascii_letters(code):
    with pytest.raises(CurrencyInvalid):
        currency_for(code)


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


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("5", "5"), ("5.00", "5"), ("005.50", "5.5"), ("0.10", "0.1"), ("0", "0"), ("12.5", "12.5"), (5, 5), ("x", "x")],
)
def test_amount_canonical_makes_one_amount_of_its_spellings(raw, canonical):
    assert amount_canonical(raw) == canonical
