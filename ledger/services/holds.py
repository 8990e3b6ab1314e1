"""Holds: money set aside from a wallet now, then captured (all or part), voided or left to expire.

Double entry, not a flag. Authorizing posts a `hold` from the owner's wallet to the currency's
@holds wallet (it counts against the spending limits then, as a payment would). Every settlement
first posts a `hold_release` of the whole hold back to the owner; a capture then pays the captured
part from the owner's wallet as a `hold_capture`, to the payee or out of VaultPay, so the payee sees
a payment from the owner and whatever was not captured is simply left in the wallet. The wallet's
`on_hold` says what its authorized holds set aside (its total is balance + on_hold).

Each step is one round trip, like a transfer: the authorization is ledger_money_request()
(ledger/sql/posting.sql), a capture, a void and the expiry are ledger_hold_settle()
(ledger/sql/hold_settle.sql), behind the same gate and idempotency key. Each writes the postings,
the hold, its audit event and, through the outbox, its webhook event (hold.authorized,
hold.captured, hold.voided, hold.expired) in one transaction. Python validates, reads the hold
once to answer 404 and to know its currency, and names the refusals.

Every settlement locks the hold row first, then the wallets in id order: a capture, a void and the
expiry racing on one hold are served one after the other, and only the first finds it authorized.
The database refuses any change to a settled hold (ledger/sql/hold_guard.sql).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.services.money_gate import MoneyGateRequest
from audit.context import current_ip_hash
from ledger.exceptions import HoldCaptureExceedsAmount, HoldExpired, HoldNotAuthorized, HoldNotFound, SelfTransfer
from ledger.idempotency import IdempotencyRequest, idempotency_lock_id
from ledger.models import Hold, HoldStatus, Transaction, TransactionKind, new_transaction_reference
from ledger.outbox import outbox_relay_on_commit
from ledger.selectors import hold_for_transaction, hold_get_for_user
from ledger.services.money_movement import wallet_hold
from ledger.services.posting import posting_after_commit, posting_refusal
from ledger.services.request_gate import GateState, gate_refusal, gate_round_trips, gate_state_start
from vaultpay.money import Money, currency_for, format_minor
from vaultpay.request_id import current_request_id
from wallets.exceptions import WalletNotFound
from wallets.limits import tier_limits_for_posting


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
    state = gate_state_start(user_id=user.pk, gate=gate, money=money, recipient=payee_id)
    return _settle_request(hold, "capture", state, idempotency, capture=money, payee_id=to_wallet_id)


def hold_void(*, user, hold_id, idempotency: IdempotencyRequest, gate: MoneyGateRequest | None = None) -> HoldResult:
    """Give the whole hold back to the wallet. Raises HoldNotFound, HoldNotAuthorized, the gate's refusals."""
    hold = hold_get_for_user(user=user, hold_id=hold_id)
    money = Money(hold.amount, currency_for(hold.currency))
    state = gate_state_start(user_id=user.pk, gate=gate, money=money, recipient=None)
    return _settle_request(hold, "void", state, idempotency)


def holds_expire_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Release every authorized hold past its expiry (Celery beat, ledger.tasks.expire_holds); returns how many.

    One round trip per hold; a hold whose settlement is under way is left to it.
    """
    now = now or timezone.now()
    due = Hold.objects.filter(status=HoldStatus.AUTHORIZED, expires_at__lte=now).order_by("expires_at")
    expired = 0
    for hold in due[:batch]:
        row = _settle_call(hold, "expire", None, None, capture=None, payee_id=None, now=now)
        if row["outcome"] == "ok":
            _after_commit(hold, row, "expire")
            expired += 1
    return expired


_SETTLE_ARGUMENTS = 21  # ledger_hold_settle()'s parameters (ledger/sql/hold_settle.sql)
_SETTLE_SQL = f"SELECT outcome, detail, transaction_id FROM ledger_hold_settle({', '.join(['%s'] * _SETTLE_ARGUMENTS)})"  # noqa: S608 - placeholders only


def _settle_request(
    hold: Hold, action: str, state: GateState, idempotency: IdempotencyRequest, *, capture=None, payee_id=None
) -> HoldResult:
    row = gate_round_trips(
        state,
        lambda: _settle_call(hold, action, state, idempotency, capture=capture, payee_id=payee_id),
        refusal=lambda outcome, detail: _refusal(hold, outcome, detail, payee_id),
    )
    transaction = Transaction(pk=row["transaction_id"])
    if row["outcome"] == "replayed":
        return HoldResult(hold_for_transaction(transaction=transaction), replayed=True)
    _after_commit(hold, row, action)
    return HoldResult(hold_for_transaction(transaction=transaction), replayed=False)


def _settle_call(
    hold: Hold, action: str, state: GateState | None, idempotency, *, capture: Money | None, payee_id, now=None
) -> dict:
    gate = state.arguments() if state is not None else [None] * 6
    key = [idempotency_lock_id(idempotency), idempotency.key, idempotency.fingerprint] if idempotency else [None] * 3
    release, capture_id = uuid.uuid4(), uuid.uuid4()
    release_reference, capture_reference = new_transaction_reference(), new_transaction_reference()
    whole = Money(hold.amount, currency_for(hold.currency))
    audit = {
        "request_id": current_request_id()[:64],
        "ip_hash": current_ip_hash(),
        "release_amount": str(whole),
        "capture_amount": str(capture) if capture is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            _SETTLE_SQL,
            [
                action,
                *gate,
                *key,
                settings.IDEMPOTENCY_TTL,
                hold.pk,
                capture.minor_units if capture is not None else None,
                payee_id,
                tier_limits_for_posting(currency=hold.currency),
                release,
                release_reference,
                capture_id,
                capture_reference,
                json.dumps(audit),
                now or timezone.now(),
            ],
        )
        outcome, detail, transaction_id = cursor.fetchone()
    return {
        "outcome": outcome,
        "detail": json.loads(detail) if detail else None,
        "transaction_id": transaction_id,
        "release_id": release,
        "capture_id": capture_id,
    }


def _after_commit(hold: Hold, row: dict, action: str) -> None:
    """What every posting does once committed (its metric, its receipts relayed without a worker), and the
    hold's webhook event."""
    posting_after_commit(row["release_id"], TransactionKind.HOLD_RELEASE)
    if action == "capture":
        posting_after_commit(row["capture_id"], TransactionKind.HOLD_CAPTURE)
    status = {"capture": HoldStatus.CAPTURED, "void": HoldStatus.VOIDED, "expire": HoldStatus.EXPIRED}[action]
    outbox_relay_on_commit(f"{hold.pk}:hold.{status}")


def _refusal(hold: Hold, outcome: str, detail: dict | None, payee_id: str | None):
    refusal = gate_refusal(outcome)
    if refusal is not None:
        return refusal
    if outcome == "hold_not_found":
        return HoldNotFound()
    if outcome == "hold_not_authorized":
        return HoldNotAuthorized(details=detail)
    if outcome == "hold_expired":
        return HoldExpired(details=detail)
    if outcome == "hold_capture_exceeds_amount":
        return HoldCaptureExceedsAmount(details={"amount": format_minor(detail["amount"], hold.currency)})
    if outcome == "recipient_not_found":
        return WalletNotFound(details={"wallet": payee_id})
    if outcome == "self_transfer":
        return SelfTransfer()
    return posting_refusal(outcome, detail, currency=hold.currency)
