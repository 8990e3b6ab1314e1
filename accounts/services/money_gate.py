"""What account security demands before any money service runs."""

from accounts.exceptions import PinRequired
from accounts.services.ip_trust import ip_trust_check
from accounts.services.pin import pin_verify


def money_movement_authorize(*, user, ip: str, pin: str | None, pin_required: bool) -> None:
    """Raise unless money may move for `user` from `ip` (and, when required, with this PIN).

    Runs outside the money service's transaction: a wrong PIN is committed as a wrong try, and the
    request's idempotency key is never claimed. Raises IpNotTrusted, PinRequired, PinNotSet,
    PinLocked, PinInvalid.
    """
    ip_trust_check(user=user, ip=ip)
    if pin_required:
        if not pin:
            raise PinRequired()
        pin_verify(user=user, pin=pin)
