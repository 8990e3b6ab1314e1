"""Transaction PIN rules and hashing: what a valid PIN is and how it is compared."""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from accounts.exceptions import PinFormatInvalid, PinTooWeak

_PIN_FORMAT = re.compile(r"^[0-9]{4,6}$")
_DIGITS = "0123456789"
# Beyond repeated digits and straight runs: the PINs people pick most (keypad column, pairs, years).
_COMMON_PINS = frozenset({"1212", "2580", "1122", "6969", "1313", "2000", "1004", "121212", "112233", "696969"})


def pin_is_weak(pin: str) -> bool:
    if len(set(pin)) == 1:
        return True  # 0000, 111111
    if pin in _DIGITS or pin in _DIGITS[::-1] or pin in "1234567890":
        return True  # 1234, 123456, 4321, 7890
    return pin in _COMMON_PINS


def pin_validate_new(pin: str) -> None:
    """Raises PinFormatInvalid (not 4-6 digits) or PinTooWeak."""
    if not isinstance(pin, str) or not _PIN_FORMAT.match(pin):
        raise PinFormatInvalid()
    if pin_is_weak(pin):
        raise PinTooWeak()


def pin_new_salt() -> str:
    return secrets.token_hex(16)


def pin_hash(pin: str, salt: str) -> str:
    return hmac.new(settings.PIN_PEPPER.encode(), f"{salt}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(pin: str, *, salt: str, expected_hash: str) -> bool:
    # compare_digest: the time taken must not tell how many characters of the hash matched.
    return isinstance(pin, str) and hmac.compare_digest(pin_hash(pin, salt), expected_hash)


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # A plain SHA-256 suffices: the token carries 256 random bits, unlike a PIN.
    return hashlib.sha256(token.encode()).hexdigest()
