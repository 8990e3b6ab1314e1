"""What account security demands before money moves: the request's half of the gate, and its slow paths.

The common case is decided in the database, in the money request's own round trip
(accounts/sql/money_gate.sql): an active user, a trusted address, the right PIN on a clean row.
This module prepares what that check compares (the IP's keyed hash, the PIN's HMAC under the
pepper, which never reaches the database) and runs the services that own every other case.
"""

from dataclasses import dataclass

from accounts.client_ip import ip_hash
from accounts.exceptions import PinRequired
from accounts.models import User
from accounts.pin import pin_hash
from accounts.services.ip_trust import ip_trust_check
from accounts.services.pin import pin_verify

# user id -> the salt of their PIN row, as last seen. Salts are not secret and change only with the
# PIN; a stale one is noticed by the database check (outcome 'pin_check' with the current salt).
_pin_salts: dict[int, str] = {}
_PIN_SALTS_MAX = 200_000


@dataclass(frozen=True)
class MoneyGateRequest:
    """What the API request brings for the gate: the client's address and, when money leaves, the PIN
    (and the one-time code, when two-factor step-up asks for it)."""

    ip: str
    pin: str | None
    pin_required: bool
    otp: str | None = None
    auth_version: int | None = None  # the access token's, checked against the user row in the posting


@dataclass(frozen=True)
class MoneyGateArguments:
    """What account_money_gate() compares; None where the Python services have already decided."""

    ip_hash: str | None
    pin_salt: str | None
    pin_hash: str | None


def money_gate_arguments(*, user_id: int, ip: str | None, pin: str | None) -> MoneyGateArguments:
    """`ip` or `pin` None: nothing to check there. A PIN whose salt is not known yet is sent as "",
    which the database answers with 'pin_check' and the salt to use."""
    salt = _pin_salts.get(user_id)
    hashed = None
    if pin is not None:
        hashed = pin_hash(pin, salt) if salt is not None else ""
    return MoneyGateArguments(ip_hash=None if ip is None else ip_hash(ip), pin_salt=salt, pin_hash=hashed)


def money_gate_remember_salt(*, user_id: int, salt: str | None) -> bool:
    """Note the user's current PIN salt; True if it differs from the one the request used."""
    if salt is None or _pin_salts.get(user_id) == salt:
        return False
    if len(_pin_salts) >= _PIN_SALTS_MAX:
        _pin_salts.clear()
    _pin_salts[user_id] = salt
    return True


def money_gate_check_ip(*, user: User, ip: str) -> None:
    """The address is not plainly trusted: record it if unseen, refuse while held. Raises IpNotTrusted."""
    ip_trust_check(user=user, ip=ip)


def money_gate_check_pin(*, user: User, pin: str) -> None:
    """The PIN row is not clean or the PIN did not match: count the try under the row lock.

    Raises PinNotSet, PinLocked, PinInvalid.
    """
    pin_verify(user=user, pin=pin)


def money_gate_require_pin(*, user: User, ip: str) -> None:
    """No PIN in a request that needs one: the address's refusal comes first, as for every request.

    Raises IpNotTrusted, PinRequired.
    """
    ip_trust_check(user=user, ip=ip)
    raise PinRequired()
