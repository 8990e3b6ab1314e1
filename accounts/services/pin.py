"""Transaction PIN: set, change, verify with lockout, reset by emailed token.

Wrong tries and the lock live in the TransactionPin row and change only under its row lock, so
concurrent guesses are counted one by one: no burst of requests buys more than PIN_MAX_ATTEMPTS.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import PinAlreadySet, PinInvalid, PinLocked, PinNotSet, PinResetTokenInvalid
from accounts.models import PinResetToken, TransactionPin
from accounts.pin import pin_hash, pin_matches, pin_new_salt, pin_validate_new, token_hash, token_new
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import VaultPayError
from vaultpay.metrics import pin_lockout_started
from vaultpay.task_secrets import task_secret_seal

PIN_MAX_ATTEMPTS = 3
PIN_LOCKOUT = timedelta(hours=24)
PIN_RESET_TTL = timedelta(minutes=30)


@transaction.atomic
def pin_set(*, user, pin: str) -> None:
    """Set the first PIN. Raises PinFormatInvalid, PinTooWeak, PinAlreadySet."""
    pin_validate_new(pin)
    salt = pin_new_salt()
    try:
        with transaction.atomic():
            TransactionPin.objects.create(user=user, salt=salt, pin_hash=pin_hash(pin, salt))
    except IntegrityError as exc:  # already set, possibly by a concurrent request
        raise PinAlreadySet() from exc
    audit_record(event_type=AuditEventType.PIN_SET, actor=user, target=user)


def pin_verify(*, user, pin: str, read: TransactionPin | None = None) -> None:
    """Check the PIN. Raises PinNotSet, PinLocked, PinInvalid.

    The right PIN on a clean row (no wrong tries, no lockout) changes nothing, so it is accepted on a
    plain read: no row lock, no transaction of its own. `read` is that plain read of the user's row
    when the caller has already made it. Everything else goes through the locked attempt, which reads
    the row again under its lock: wrong tries are still counted one by one, and a stale clean read can
    only ever let the right PIN through.

    Not atomic on purpose: the wrong try is committed in its own short transaction before the error
    propagates, so a failing request still counts (and never reaches the money service).
    """
    row = read or TransactionPin.objects.filter(user=user).first()
    clean = row is not None and row.failed_attempts == 0 and row.locked_until is None
    if clean and pin_matches(pin, salt=row.salt, expected_hash=row.pin_hash):
        return
    error = _pin_attempt(user=user, pin=pin)
    if error is not None:
        raise error


@transaction.atomic
def _pin_attempt(*, user, pin: str) -> VaultPayError | None:
    state = TransactionPin.objects.select_for_update().filter(user=user).first()
    if state is None:
        return PinNotSet()
    now = timezone.now()
    changed = False
    if state.locked_until is not None:
        if state.locked_until > now:
            return _locked_error(state)
        state.failed_attempts, state.locked_until, changed = 0, None, True  # the lockout has run out
    if pin_matches(pin, salt=state.salt, expected_hash=state.pin_hash):
        if state.failed_attempts or changed:
            state.failed_attempts = 0
            state.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
        return None
    state.failed_attempts += 1
    attempts_left = PIN_MAX_ATTEMPTS - state.failed_attempts
    if attempts_left <= 0:
        state.locked_until = now + PIN_LOCKOUT
    state.save(update_fields=["failed_attempts", "locked_until", "updated_at"])
    if state.locked_until is not None:
        pin_lockout_started()
        audit_record(event_type=AuditEventType.PIN_LOCKED, actor=user, target=user, new_values=_lock_info(state))
        return _locked_error(state)
    audit_record(
        event_type=AuditEventType.PIN_FAILED, actor=user, target=user, new_values={"attempts_left": attempts_left}
    )
    return PinInvalid(details={"attempts_left": attempts_left})


def _lock_info(state: TransactionPin) -> dict:
    return {"locked_until": state.locked_until.isoformat()}


def _locked_error(state: TransactionPin) -> PinLocked:
    return PinLocked(details=_lock_info(state))


def pin_change(*, user, current_pin: str, new_pin: str) -> None:
    """Replace the PIN after checking the current one (a wrong one counts towards the lockout).

    Raises PinFormatInvalid, PinTooWeak, PinNotSet, PinLocked, PinInvalid.
    """
    pin_validate_new(new_pin)
    pin_verify(user=user, pin=current_pin)
    _pin_replace(user=user, pin=new_pin, event_type=AuditEventType.PIN_CHANGED)


@transaction.atomic
def _pin_replace(*, user, pin: str, event_type: AuditEventType) -> None:
    state = TransactionPin.objects.select_for_update().get(user=user)
    state.salt = pin_new_salt()
    state.pin_hash = pin_hash(pin, state.salt)
    state.failed_attempts = 0
    state.locked_until = None
    state.save()
    audit_record(event_type=event_type, actor=user, target=user)


@transaction.atomic
def pin_reset_request(*, user) -> PinResetToken:
    """Email a single-use reset code valid PIN_RESET_TTL; earlier unused codes stop working. Raises PinNotSet."""
    from accounts.tasks import PIN_RESET_PURPOSE, send_pin_reset_email  # tasks import the models: no cycle

    if not TransactionPin.objects.filter(user=user).exists():
        raise PinNotSet()
    now = timezone.now()
    PinResetToken.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = token_new()
    reset = PinResetToken.objects.create(user=user, token_hash=token_hash(token), expires_at=now + PIN_RESET_TTL)
    audit_record(event_type=AuditEventType.PIN_RESET_REQUESTED, actor=user, target=user)
    sealed = task_secret_seal({"token": token}, purpose=PIN_RESET_PURPOSE, object_id=reset.pk)
    transaction.on_commit(lambda: send_pin_reset_email.delay(reset.pk, sealed))
    return reset


@transaction.atomic
def pin_reset_confirm(*, user, token: str, new_pin: str) -> None:
    """Set a new PIN with an emailed code; lifts any lockout.

    Raises PinFormatInvalid, PinTooWeak, PinResetTokenInvalid.
    """
    pin_validate_new(new_pin)
    now = timezone.now()
    reset = (
        PinResetToken.objects.select_for_update()
        .filter(user=user, token_hash=token_hash(token or ""), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if reset is None:
        raise PinResetTokenInvalid()
    reset.used_at = now
    reset.save(update_fields=["used_at"])
    _pin_replace(user=user, pin=new_pin, event_type=AuditEventType.PIN_RESET)
