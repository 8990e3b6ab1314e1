"""Spending limits on the money path, and the same usage summed from the ledger for `reconcile`."""

from datetime import UTC, date, datetime, time

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ledger.models import Transaction, TransactionKind
from vaultpay.money import Money
from wallets.limits import limits_enforce, spending_periods, wallet_spend, wallet_spent
from wallets.models import Wallet, WalletKind

# Money a user sends away. Deposits, incoming transfers, fees and reversals do not count; a payment
# later reversed still counts for the day it was sent (a reversal is a new transaction).
OUTGOING_KINDS = (TransactionKind.WITHDRAWAL, TransactionKind.TRANSFER)


def ledger_limits_apply(*, kind: str, source: Wallet, amount: Money, now: datetime) -> None:
    """Refuse an outgoing payment from a user wallet above its tier's limits (LimitExceeded), else count it.

    Call it with `source` locked and save its SPENT_FIELDS with the balance: two concurrent payments
    from one wallet then run this one after the other, and the second one sees the first one's count.
    """
    if kind not in OUTGOING_KINDS or source.kind != WalletKind.USER:
        return
    limits_enforce(wallet=source, amount_minor=amount.minor_units, used=wallet_spent(source, now))
    wallet_spend(source, amount_minor=amount.minor_units, now=now)


def _outgoing_total(since: date) -> Coalesce:
    """One wallet's outgoing total since 00:00 UTC on `since`: an index-only scan of transaction_outgoing_idx."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    totals = (
        Transaction.objects.filter(from_wallet=OuterRef("pk"), kind__in=OUTGOING_KINDS, created_at__gte=start)
        .values("from_wallet")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=IntegerField()), Value(0))


def wallets_spent_mismatches(*, now: datetime) -> list[dict]:
    """User wallets whose spent counters disagree with their ledger for the day and month of `now`.

    One statement, so a posting committing meanwhile cannot show up as half counted.
    """
    day, month = spending_periods(now)
    rows = (
        Wallet.objects.filter(kind=WalletKind.USER)
        .annotate(ledger_day=_outgoing_total(day), ledger_month=_outgoing_total(month))
        .filter(~Q(ledger_day=0) | ~Q(ledger_month=0) | Q(spent_day=day) | Q(spent_month=month))
    )
    mismatches = []
    for wallet in rows.iterator(chunk_size=5000):
        used = wallet_spent(wallet, now)
        if (used.daily, used.monthly) != (wallet.ledger_day, wallet.ledger_month):
            mismatches.append(
                {
                    "wallet": wallet.public_id,
                    "id": wallet.pk,
                    "spent_day": used.daily,
                    "ledger_day": wallet.ledger_day,
                    "spent_month": used.monthly,
                    "ledger_month": wallet.ledger_month,
                }
            )
    return mismatches
