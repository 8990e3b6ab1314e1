"""Reversing a posted transaction: new linked `reversal` transactions, never an edit of the original."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from audit.models import AuditEventType
from audit.services import audit_record
from ledger.exceptions import ReversalExceedsAmount, ReversalInsufficientFunds, ReversalNotAllowed
from ledger.models import (
    HOLD_BOOKKEEPING_KINDS,
    RETURN_KINDS,
    Transaction,
    TransactionKind,
    TransactionStatus,
)
from ledger.services.posting import ledger_post
from vaultpay.money import Money, currency_for, format_minor
from wallets.models import SystemWalletPurpose, WalletKind
from wallets.selectors import wallets_lock
from wallets.services import wallet_system_get


def transaction_lock(*, transaction_id) -> Transaction:
    """Lock one transaction row. Every reversal of a transaction takes this lock first, so two
    moderators reversing at once are serialized and the second sees the first one's total."""
    return Transaction.objects.select_for_update(of=("self",)).get(pk=transaction_id)


def reversed_total(*, original: Transaction) -> int:
    return Transaction.objects.filter(reverses=original).aggregate(total=Sum("amount"))["total"] or 0


@dataclass(frozen=True)
class ReversalResult:
    reversals: list[Transaction]
    amount: int
    suspense_covered: int


@transaction.atomic(savepoint=False)
def transaction_reverse(
    *, original_id, amount: int | None, actor, cover_from_suspense: bool = False, metadata: dict | None = None
) -> ReversalResult:
    """Move `amount` minor units (default: all that is left) back from the receiver to the sender.

    Lock order: the original transaction, then the wallets in primary-key order. When the receiver's
    balance is short and `cover_from_suspense` is set, the receiver pays what it holds and @suspense
    pays the rest (a second reversal transaction, a recorded platform loss); a user balance never
    goes negative. Raises ReversalNotAllowed, ReversalExceedsAmount, ReversalInsufficientFunds,
    WalletFrozen, WalletClosed.
    """
    original = transaction_lock(transaction_id=original_id)
    if original.kind in RETURN_KINDS + HOLD_BOOKKEEPING_KINDS:
        raise ReversalNotAllowed()
    already = reversed_total(original=original)
    remaining = original.amount - already
    minor = remaining if amount is None else amount
    if minor <= 0 or minor > remaining:
        raise ReversalExceedsAmount(details={"remaining": format_minor(remaining, original.currency)})

    suspense = wallet_system_get(currency=original.currency, purpose=SystemWalletPurpose.SUSPENSE)
    to_lock = [original.to_wallet, original.from_wallet] + ([suspense] if cover_from_suspense else [])
    payer, payee, *locked_suspense = wallets_lock(*to_lock)
    from_payer, shortfall = _split_shortfall(payer, minor, cover_from_suspense)
    currency = currency_for(original.currency)
    meta = (metadata or {}) | {"reverses": original.reference}
    posted = []
    if from_payer:
        posted.append(_post_reversal(original, payer, payee, Money(from_payer, currency), actor, meta))
    if shortfall:
        cover_meta = meta | {"covers_shortfall_of": payer.label}
        posted.append(
            _post_reversal(original, locked_suspense[0], payee, Money(shortfall, currency), actor, cover_meta)
        )
        audit_record(
            event_type=AuditEventType.REVERSAL_SHORTFALL_COVERED,
            actor=actor,
            target=original,
            new_values={"shortfall": str(Money(shortfall, currency)), "receiver": payer.label},
        )
    fully = already + minor == original.amount
    # The one change a posted transaction allows (the PostgreSQL guard refuses any other column).
    Transaction.objects.filter(pk=original.pk).update(
        status=TransactionStatus.REVERSED if fully else TransactionStatus.PARTIALLY_REVERSED
    )
    return ReversalResult(reversals=posted, amount=minor, suspense_covered=shortfall)


def _split_shortfall(payer, minor: int, cover_from_suspense: bool) -> tuple[int, int]:
    """(what the locked payer pays, what @suspense must cover); raises ReversalInsufficientFunds."""
    from_payer = minor if payer.kind == WalletKind.SYSTEM else min(minor, payer.balance)
    shortfall = minor - from_payer
    if shortfall and not cover_from_suspense:
        raise ReversalInsufficientFunds(
            details={
                "balance": format_minor(payer.balance, payer.currency),
                "shortfall": format_minor(shortfall, payer.currency),
            }
        )
    return from_payer, shortfall


def _post_reversal(original, source, destination, amount: Money, actor, metadata: dict) -> Transaction:
    return ledger_post(
        kind=TransactionKind.REVERSAL,
        source=source,
        destination=destination,
        amount=amount,
        initiator=actor,
        description=f"Reversal of {original.reference}",
        metadata=metadata,
        reverses=original,
    )
