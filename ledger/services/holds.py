"""Holds: money set aside from a wallet now, then captured (all or part), voided or left to expire.

Double entry, not a flag. Authorizing posts a `hold` from the owner's wallet to the currency's
@holds wallet (it counts against the spending limits then, as a payment would). Every settlement
first posts a `hold_release` of the whole hold back to the owner; a capture then pays the captured
part from the owner's wallet as a `hold_capture`, to the payee or out of VaultPay, so the payee sees
a payment from the owner and whatever was not captured is simply left in the wallet. The wallet's
`on_hold` says what its authorized holds set aside (its total is balance + on_hold).

Each step writes its audit event and, through the outbox, its webhook event (hold.authorized,
hold.captured, hold.voided, hold.expired) in its own transaction.

Every settlement locks the hold row first, then the wallets in id order: a capture, a void and the
expiry racing on one hold are served one after the other, and only the first finds it authorized.
The database refuses any change to a settled hold (ledger/sql/hold_guard.sql).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services.money_gate import MoneyGateRequest
from audit.models import AuditEventType
from audit.services import audit_record
from ledger.exceptions import HoldCaptureExceedsAmount, HoldExpired, HoldNotAuthorized, SelfTransfer
from ledger.idempotency import IdempotencyRequest
from ledger.models import Hold, HoldStatus, OutboxMessage, Transaction, TransactionKind
from ledger.outbox import outbox_relay_on_commit
from ledger.selectors import hold_for_transaction, hold_get_for_user
from ledger.services.money_movement import wallet_hold
from ledger.services.posting import ledger_post
from ledger.services.request_gate import gated_request
from vaultpay.money import CurrencyMismatch, Money, currency_for
from wallets.models import SystemWalletPurpose, Wallet, WalletKind
from wallets.selectors import wallet_get_recipient, wallets_lock
from wallets.services import wallet_system_get


@dataclass(frozen=True)
class HoldResult:
    hold: Hold
    replayed: bool


def hold_authorize(
    *,
    user,
    amount: Money,
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    to_wallet_id: str | None = None,
    description: str = "",
    metadata: dict | None = None,
    expires_in: timedelta | None = None,
) -> HoldResult:
    """Set `amount` aside from the user's wallet until captured, voided or expired (default HOLD_DEFAULT_EXPIRY).

    One round trip, like a withdrawal (ledger_money_request() writes the posting, the hold, its audit
    event and its webhook's outbox row). Raises what a withdrawal does (the gate, WalletNotFound,
    WalletFrozen, CurrencyMismatch, InsufficientFunds, LimitExceeded), and WalletNotFound /
    SelfTransfer / CurrencyMismatch for a bad `to_wallet_id`.
    """
    result = wallet_hold(
        user=user,
        amount=amount,
        idempotency=idempotency,
        lifetime=expires_in or settings.HOLD_DEFAULT_EXPIRY,
        gate=gate,
        to_wallet_id=to_wallet_id,
        description=description,
        metadata=metadata,
    )
    hold = hold_for_transaction(transaction=result.transaction)
    if not result.replayed:
        outbox_relay_on_commit(f"{hold.pk}:hold.authorized")  # the one ledger_money_request() wrote
    return HoldResult(hold, result.replayed)


def hold_capture(
    *,
    user,
    hold_id,
    amount: str | None,
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    to_wallet_id: str | None = None,
) -> HoldResult:
    """Pay `amount` (major units; default: all) of the user's hold to `to_wallet_id`, else the hold's payee,
    else out of VaultPay; the rest goes back to the wallet.

    Raises HoldNotFound, the amount's errors, HoldCaptureExceedsAmount, HoldNotAuthorized, HoldExpired,
    WalletNotFound, SelfTransfer, WalletFrozen, WalletClosed, CurrencyMismatch, WalletBalanceCapReached,
    and the gate's refusals (the PIN: money leaves).
    """
    hold = hold_get_for_user(user=user, hold_id=hold_id)
    currency = currency_for(hold.currency)
    money = Money.parse(amount, hold.currency) if amount is not None else Money(hold.amount, currency)
    if money.minor_units > hold.amount:
        raise HoldCaptureExceedsAmount(details={"amount": str(Money(hold.amount, currency))})
    payee_id = to_wallet_id or (hold.to_wallet.public_id if hold.to_wallet_id else None)

    def post() -> Transaction:
        now = timezone.now()
        locked = _lock_authorized(hold.pk)
        if locked.expires_at <= now:
            raise HoldExpired(details={"expires_at": locked.expires_at.isoformat()})
        payee = (
            _payee(user, payee_id, currency=locked.currency)
            if payee_id
            else wallet_system_get(currency=locked.currency, purpose=SystemWalletPurpose.WORLD)
        )
        # Both user wallets now, in id order: the release locks the owner's, the capture then the payee's.
        wallets_lock(*(wallet for wallet in (locked.wallet, payee) if wallet.kind == WalletKind.USER))
        release = _release(locked, actor=user)
        capture = ledger_post(
            kind=TransactionKind.HOLD_CAPTURE,
            source=locked.wallet,
            destination=payee,
            amount=money,
            initiator=user,
            description=locked.description or "Hold capture",
            metadata=locked.metadata,
        )
        _settle(locked, HoldStatus.CAPTURED, release, capture=capture, captured=money.minor_units)
        audit_record(
            event_type=AuditEventType.HOLD_CAPTURED,
            actor=user,
            target=locked,
            new_values={"captured": str(money), "payee": payee.label, "capture": capture.reference},
        )
        _event(locked, "hold.captured")
        return capture

    result = gated_request(
        user_id=user.pk, gate=gate, money=money, idempotency=idempotency, post=post, recipient=payee_id
    )
    return HoldResult(hold_for_transaction(transaction=result.transaction), result.replayed)


def hold_void(*, user, hold_id, idempotency: IdempotencyRequest, gate: MoneyGateRequest | None = None) -> HoldResult:
    """Give the whole hold back to the wallet. Raises HoldNotFound, HoldNotAuthorized, the gate's refusals."""
    hold = hold_get_for_user(user=user, hold_id=hold_id)

    def post() -> Transaction:
        locked = _lock_authorized(hold.pk)
        wallets_lock(locked.wallet)
        release = _release(locked, actor=user)
        _settle(locked, HoldStatus.VOIDED, release)
        audit_record(event_type=AuditEventType.HOLD_VOIDED, actor=user, target=locked, new_values={})
        _event(locked, "hold.voided")
        return release

    money = Money(hold.amount, currency_for(hold.currency))
    result = gated_request(user_id=user.pk, gate=gate, money=money, idempotency=idempotency, post=post)
    return HoldResult(hold_for_transaction(transaction=result.transaction), result.replayed)


def holds_expire_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Release every authorized hold past its expiry (Celery beat, ledger.tasks.expire_holds); returns how many.

    One database transaction per hold; a hold another settlement holds the lock of is left to it.
    """
    now = now or timezone.now()
    due = list(
        Hold.objects.filter(status=HoldStatus.AUTHORIZED, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    expired = 0
    for hold_id in due:
        with transaction.atomic():
            # Skip only a hold another settlement has locked (of="self"): a wallet busy with any posting
            # is waited for, as a capture does (hold row first, then the wallet).
            locked = (
                Hold.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("wallet")
                .filter(pk=hold_id, status=HoldStatus.AUTHORIZED)
                .first()
            )
            if locked is None:
                continue
            wallets_lock(locked.wallet)
            release = _release(locked, actor=None)
            _settle(locked, HoldStatus.EXPIRED, release)
            audit_record(event_type=AuditEventType.HOLD_EXPIRED, target=locked, new_values={})
            _event(locked, "hold.expired")
            expired += 1
    return expired


def _payee(user, to_wallet_id: str, *, currency: str) -> Wallet:
    """The user wallet a hold pays. Raises WalletNotFound, SelfTransfer, CurrencyMismatch: checked when the
    hold is authorized too, as a default payee in another currency could never be paid."""
    payee = wallet_get_recipient(public_id=to_wallet_id)
    if payee.owner_id == user.pk:
        raise SelfTransfer()
    if payee.currency != currency:
        raise CurrencyMismatch(details={"wallet": payee.label, "wallet_currency": payee.currency})
    return payee


def _lock_authorized(hold_id) -> Hold:
    """The hold's row, locked; raises HoldNotAuthorized once anything has settled it."""
    locked = Hold.objects.select_for_update(of=("self",)).select_related("wallet").get(pk=hold_id)
    if locked.status != HoldStatus.AUTHORIZED:
        raise HoldNotAuthorized(details={"status": locked.status})
    return locked


def _release(hold: Hold, *, actor) -> Transaction:
    """Post the whole hold from @holds back to its wallet; the caller holds the hold's and the wallet's locks."""
    release = ledger_post(
        kind=TransactionKind.HOLD_RELEASE,
        source=wallet_system_get(currency=hold.currency, purpose=SystemWalletPurpose.HOLDS),
        destination=hold.wallet,
        amount=Money(hold.amount, currency_for(hold.currency)),
        initiator=actor,
        description="Hold release",
    )
    Wallet.objects.filter(pk=hold.wallet_id).update(on_hold=F("on_hold") - hold.amount)
    return release


def _event(hold: Hold, event_type: str) -> None:
    """The step's webhook event, through the outbox in the step's own transaction (ledger.webhook_events)."""
    subject = f"{hold.pk}:{event_type}"
    OutboxMessage.objects.create(topic="hold.events", subject_id=subject)
    outbox_relay_on_commit(subject)


def _settle(hold: Hold, status: HoldStatus, release: Transaction, *, capture=None, captured: int = 0) -> None:
    hold.status = status
    hold.release = release
    hold.capture = capture
    hold.captured_amount = captured
    hold.settled_at = release.created_at
    hold.save(update_fields=["status", "release", "capture", "captured_amount", "settled_at"])
