"""What account security demands before any money service runs."""

from django.db.models import OuterRef, Subquery

from accounts.exceptions import PinRequired
from accounts.models import TransactionPin
from accounts.services.ip_trust import ip_trust_check, known_ip_rows
from accounts.services.pin import pin_clean_rows, pin_verify


def money_movement_authorize(*, user, ip: str, pin: str | None, pin_required: bool) -> None:
    """Raise unless money may move for `user` from `ip` (and, when required, with this PIN).

    Runs outside the money service's transaction: a wrong PIN is committed as a wrong try, and the
    request's idempotency key is never claimed. Both checks usually need one read between them: the
    address's row, with the user's PIN row alongside when it is clean. Anything else (an unseen
    address, a PIN with wrong tries or a lockout) takes each check's own path. Raises IpNotTrusted,
    PinRequired, PinNotSet, PinLocked, PinInvalid.
    """
    clean_pin = pin_clean_rows().filter(user=OuterRef("user"))
    known = (
        known_ip_rows(user=user, ip=ip)
        .annotate(
            clean_pin_salt=Subquery(clean_pin.values("salt")), clean_pin_hash=Subquery(clean_pin.values("pin_hash"))
        )
        .first()
    )
    ip_trust_check(user=user, ip=ip, known=known)
    if not pin_required:
        return
    if not pin:
        raise PinRequired()
    clean_row = None
    if known is not None and known.clean_pin_hash:
        clean_row = TransactionPin(user=user, salt=known.clean_pin_salt, pin_hash=known.clean_pin_hash)
    pin_verify(user=user, pin=pin, clean_row=clean_row)
