"""Money at the edges: decimal strings in major units outside, integer minor units inside.

This is the only module that converts between the two. Floats never appear: a JSON number is
refused, because in many clients it has been through a float (and rounded) before we see it.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from rest_framework import status

from vaultpay.errors import VaultPayError


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int  # digits after the decimal point (ISO 4217 minor unit)
    name: str


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("USD", 2, "US dollar"),
        Currency("EUR", 2, "Euro"),
        Currency("GBP", 2, "Pound sterling"),
        Currency("INR", 2, "Indian rupee"),
        Currency("NGN", 2, "Nigerian naira"),
        Currency("JPY", 0, "Japanese yen"),
        Currency("KWD", 3, "Kuwaiti dinar"),
    )
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]

# One posting may move at most this many minor units: far above any real payment, far below
# the 2**63 range of the columns, so sums of many postings cannot overflow either.
MAX_MINOR_UNITS = 10**13
# No wallet, user or system, may hold more than this (or, for a system wallet, owe more): with one
# posting at most MAX_MINOR_UNITS, a balance can then never reach the 2**63 edge of its bigint column.
WALLET_BALANCE_CAP = 10**17


class AmountInvalid(VaultPayError):
    code = "amount_invalid"
    message = 'The amount must be a decimal string such as "12.50".'


class AmountNotPositive(VaultPayError):
    code = "amount_not_positive"
    message = "The amount must be greater than zero."


class AmountTooPrecise(VaultPayError):
    code = "amount_too_precise"
    message = "The amount has more decimal places than the currency allows."


class AmountTooLarge(VaultPayError):
    code = "amount_too_large"
    message = "The amount is larger than a single payment may be."


class CurrencyInvalid(VaultPayError):
    code = "currency_invalid"
    message = "The currency must be an ISO 4217 code: three upper-case letters such as USD."


class CurrencyUnsupported(VaultPayError):
    code = "currency_unsupported"
    message = "This currency is not supported."


class CurrencyMismatch(VaultPayError):
    code = "currency_mismatch"
    status_code = status.HTTP_409_CONFLICT
    message = "The currency does not match the wallet's currency."


# The whole grammar of an API amount and of a currency code. `re.ASCII` with `[0-9]`, not `\d`:
# full-width and other Unicode digits are not amounts. `\Z`, not `$`: a trailing newline is not allowed.
AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
_AMOUNT_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z", re.ASCII)
_NEGATIVE_AMOUNT_RE = re.compile(r"-[0-9]+(?:\.[0-9]+)?\Z", re.ASCII)
_CURRENCY_RE = re.compile(r"[A-Z]{3}\Z", re.ASCII)


def currency_for(code: object) -> Currency:
    """Look up a supported currency by its ISO 4217 code (three upper-case ASCII letters).

    Raises CurrencyInvalid for anything that is not such a code, CurrencyUnsupported for a code we do not hold.
    """
    if not isinstance(code, str) or not _CURRENCY_RE.match(code):
        raise CurrencyInvalid(details={"supported": list(CURRENCIES)})
    if code not in CURRENCIES:
        raise CurrencyUnsupported(details={"currency": code, "supported": list(CURRENCIES)})
    return CURRENCIES[code]


def parse_amount(raw: object, currency: Currency) -> int:
    """Turn an API amount, a string matching AMOUNT_PATTERN, into positive minor units of `currency`.

    Nothing is ever rounded: a digit beyond the currency's exponent that is not zero is refused.
    The checks work on the text, so a string of a million digits costs no Decimal arithmetic.
    Raises AmountInvalid, AmountNotPositive, AmountTooPrecise or AmountTooLarge.
    """
    if not isinstance(raw, str):  # a JSON number has been through a float in many clients
        raise AmountInvalid()
    if _NEGATIVE_AMOUNT_RE.match(raw):
        raise AmountNotPositive()
    if not _AMOUNT_RE.match(raw):
        raise AmountInvalid()
    whole, _, fraction = raw.partition(".")
    whole, fraction = whole.lstrip("0"), fraction.rstrip("0")
    if len(fraction) > currency.exponent:
        raise AmountTooPrecise(details={"max_decimal_places": currency.exponent})
    if len(whole) > len(str(MAX_MINOR_UNITS)):
        raise AmountTooLarge(details={"max": format_minor(MAX_MINOR_UNITS, currency.code)})
    minor = int(whole or "0") * 10**currency.exponent + int(fraction.ljust(currency.exponent, "0") or "0")
    if minor == 0:
        raise AmountNotPositive()
    if minor > MAX_MINOR_UNITS:
        raise AmountTooLarge(details={"max": format_minor(MAX_MINOR_UNITS, currency.code)})
    return minor


def amount_canonical(raw: object) -> object:
    """An API amount as an idempotency fingerprint compares it, before its currency is known: "5",
    "5.0" and "005.00" are one amount. Anything that is not an amount string is returned as sent
    (parse_amount refuses it later)."""
    if not isinstance(raw, str) or not _AMOUNT_RE.match(raw):
        return raw
    whole, _, fraction = raw.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def format_minor(minor_units: int, currency_code: str) -> str:
    """Render minor units as a decimal string in major units: 1250 USD -> "12.50"."""
    exponent = CURRENCIES[currency_code].exponent
    return str(Decimal(minor_units).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent)))


@dataclass(frozen=True)
class Money:
    """A positive amount in minor units of a supported currency."""

    minor_units: int
    currency: Currency

    @classmethod
    def parse(cls, raw_amount: object, raw_currency: object) -> "Money":
        currency = currency_for(raw_currency)
        return cls(parse_amount(raw_amount, currency), currency)

    def __str__(self) -> str:
        return f"{format_minor(self.minor_units, self.currency.code)} {self.currency.code}"
