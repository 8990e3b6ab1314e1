"""Money at the edges: decimal strings in major units outside, integer minor units inside.

This is the only module that converts between the two. Floats never appear: a JSON number that
is not an integer is refused, because it has already been rounded by the time we see it.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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


class CurrencyUnsupported(VaultPayError):
    code = "currency_unsupported"
    message = "This currency is not supported."


class CurrencyMismatch(VaultPayError):
    code = "currency_mismatch"
    status_code = status.HTTP_409_CONFLICT
    message = "The currency does not match the wallet's currency."


def currency_for(code: object) -> Currency:
    """Look up a supported currency by its ISO 4217 code; raises CurrencyUnsupported."""
    if not isinstance(code, str) or code.upper() not in CURRENCIES:
        raise CurrencyUnsupported(details={"currency": str(code)[:8], "supported": list(CURRENCIES)})
    return CURRENCIES[code.upper()]


def parse_amount(raw: object, currency: Currency) -> int:
    """Turn an API amount into positive minor units of `currency`.

    Raises AmountInvalid, AmountNotPositive, AmountTooPrecise or AmountTooLarge.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise AmountInvalid()
    text = str(raw).strip()
    if not text or len(text) > 40:
        raise AmountTooLarge() if text else AmountInvalid()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise AmountInvalid() from None
    if not value.is_finite() or "e" in text.lower():
        raise AmountInvalid(details={"amount": text})
    if value <= 0:
        raise AmountNotPositive(details={"amount": text})
    minor = value.scaleb(currency.exponent)
    if minor != minor.to_integral_value():
        raise AmountTooPrecise(details={"amount": text, "max_decimal_places": currency.exponent})
    if minor > MAX_MINOR_UNITS:
        raise AmountTooLarge(details={"amount": text})
    return int(minor)


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
