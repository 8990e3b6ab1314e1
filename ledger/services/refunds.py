"""Refunds: the receiver of a payment sends all or part of it back to its sender, as a linked transaction.

A refund is the receiver's own decision (a reversal is a moderator's); both are linked to the
payment by `reverses` and never total more than it, checked under the payment's row lock and again
by the database (ledger/sql/reversal_guard.sql). A refund is not spending: it never counts against
the receiver's limits.
"""

from accounts.services.money_gate import MoneyGateRequest
from audit.models import AuditEventType
from audit.services import audit_record
from ledger.exceptions import RefundExceedsAmount, RefundNotAllowed
from ledger.idempotency import IdempotencyRequest
from ledger.models import Transaction, TransactionKind, TransactionStatus
from ledger.selectors import entry_for_user_and_transaction
from ledger.services.posting import ledger_post
from ledger.services.request_gate import GatedResult, gated_request
from ledger.services.reversal import reversed_total, transaction_lock
from ledger.webhook_events import refund_posted_emit
from vaultpay.money import Money, currency_for, format_minor
from wallets.models import WalletKind
from wallets.selectors import wallets_lock

# Payments between two users: what a receiver may give back.
REFUNDABLE_KINDS = (TransactionKind.TRANSFER, TransactionKind.HOLD_CAPTURE)


def transaction_refund(
    *,
    user,
    transaction_id,
    amount: str | None,
    idempotency: IdempotencyRequest,
    gate: MoneyGateRequest | None = None,
    reason: str = "",
    metadata: dict | None = None,
) -> GatedResult:
    """Refund `amount` (major units; default: all that is left) of a payment the user received.

    Raises TransactionNotFound (not a party), RefundNotAllowed, the amount's errors, RefundExceedsAmount,
    InsufficientFunds, WalletFrozen, WalletClosed, and the gate's refusals (the PIN: money leaves).
    """
    original = entry_for_user_and_transaction(user=user, transaction_id=transaction_id).transaction
    receiver = original.to_wallet
    if (
        original.kind not in REFUNDABLE_KINDS
        or receiver.kind != WalletKind.USER
        or receiver.owner_id != user.pk
        or original.from_wallet.kind != WalletKind.USER
    ):
        raise RefundNotAllowed()
    currency = currency_for(original.currency)
    requested = Money.parse(amount, original.currency) if amount is not None else None

    def post() -> Transaction:
        locked = transaction_lock(transaction_id=original.pk)
        already = reversed_total(original=locked)
        remaining = locked.amount - already
        minor = remaining if requested is None else requested.minor_units
        if remaining <= 0 or minor > remaining:
            raise RefundExceedsAmount(details={"remaining": format_minor(remaining, locked.currency)})
        payer, payee = wallets_lock(locked.to_wallet, locked.from_wallet)
        refund = ledger_post(
            kind=TransactionKind.REFUND,
            source=payer,
            destination=payee,
            amount=Money(minor, currency),
            initiator=user,
            description=reason,  # the link to the payment is `reverses`, shown as such
            metadata=metadata,
            reverses=locked,
        )
        # The one change a posted transaction allows (the PostgreSQL guard refuses any other column).
        fully = already + minor == locked.amount
        Transaction.objects.filter(pk=locked.pk).update(
            status=TransactionStatus.REFUNDED if fully else TransactionStatus.PARTIALLY_REFUNDED
        )
        audit_record(
            event_type=AuditEventType.REFUND_POSTED,
            actor=user,
            target=locked,
            new_values={"refund": refund.reference, "amount": str(Money(minor, currency)), "reason": reason},
        )
        refund_posted_emit(refund=refund, original=locked)
        return refund

    # The step-up sees the most this refund can be.
    money = requested or Money(original.amount, currency)
    return gated_request(user_id=user.pk, gate=gate, money=money, idempotency=idempotency, post=post)
