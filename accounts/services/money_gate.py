"""What account security demands before any money service runs."""

from django.db.models import F

from accounts.exceptions import PinRequired
from accounts.models import TransactionPin
from accounts.services.ip_trust import ip_trust_check, known_ip_rows
from accounts.services.pin import pin_verify


def money_movement_authorize(*, user, ip: str, pin: str | None, pin_required: bool) -> None:
    """Raise unless money may move for `user` from `ip` (and, when required, with this PIN).

    Runs outside the money service's transaction: a wrong PIN is committed as a wrong try, and the
    request's idempotency key is never claimed. Both checks need one read between them: the
    address's row, with the user's PIN row joined to it. An unseen address or a PIN row that is not
    clean takes each check's own path. Raises IpNotTrusted, PinRequired, PinNotSet, PinLocked,
    PinInvalid.
    """
    pin_row = "user__transactionpin__"  # the PIN row, joined by user: one-to-one, absent if no PIN is set
    known = (
        known_ip_rows(user=user, ip=ip)
        .annotate(
            pin_salt=F(f"{pin_row}salt"),
            pin_hash=F(f"{pin_row}pin_hash"),
            pin_failed_attempts=F(f"{pin_row}failed_attempts"),
            pin_locked_until=F(f"{pin_row}locked_until"),
        )
        .first()
    )
    ip_trust_check(user=user, ip=ip, known=known)
    if not pin_required:
        return
    if not pin:
        raise PinRequired()
    read = None
    if known is not None and known.pin_hash:
        read = TransactionPin(
            user=user,
            salt=known.pin_salt,
            pin_hash=known.pin_hash,
            failed_attempts=known.pin_failed_attempts,
            locked_until=known.pin_locked_until,
        )
    pin_verify(user=user, pin=pin, read=read)
