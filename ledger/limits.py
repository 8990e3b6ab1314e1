"""Spending limits as the ledger sees them: what each owner sent, summed from transactions, for `reconcile`."""

from datetime import UTC, datetime, time

from django.db.models import Q, Sum

from ledger.models import Transaction, TransactionKind
from wallets.limits import spending_periods, usage_in_periods
from wallets.models import WalletKind, WalletUsage

# Money a user sends away. Deposits, incoming transfers, fees, reversals and refunds do not count; a
# payment later reversed still counts for the day it was sent (a reversal is a new transaction). A
# hold counts when authorized, voided or not (its capture is paid from the released money: not again).
OUTGOING_KINDS = (TransactionKind.WITHDRAWAL, TransactionKind.TRANSFER, TransactionKind.HOLD)


def usage_mismatches(*, now: datetime) -> list[dict]:
    """Owners whose usage counters disagree with the ledger for the day and month of `now`, per currency."""
    day, month = spending_periods(now)
    day_start, month_start = (datetime.combine(d, time.min, tzinfo=UTC) for d in (day, month))
    sent = (
        Transaction.objects.filter(
            kind__in=OUTGOING_KINDS, created_at__gte=month_start, from_wallet__kind=WalletKind.USER
        )
        .values("from_wallet__owner_id", "currency")
        .annotate(monthly=Sum("amount"), daily=Sum("amount", filter=Q(created_at__gte=day_start)))
    )
    ledger = {(r["from_wallet__owner_id"], r["currency"]): (r["daily"] or 0, r["monthly"]) for r in sent}
    counted = {(u.owner_id, u.currency): u for u in WalletUsage.objects.all()}
    mismatches = []
    for owner_id, currency in sorted(counted.keys() | ledger.keys()):
        used = usage_in_periods(counted.get((owner_id, currency)), now)
        ledger_day, ledger_month = ledger.get((owner_id, currency), (0, 0))
        if (used.daily, used.monthly) != (ledger_day, ledger_month):
            mismatches.append(
                {
                    "owner": owner_id,
                    "currency": currency,
                    "spent_day": used.daily,
                    "ledger_day": ledger_day,
                    "spent_month": used.monthly,
                    "ledger_month": ledger_month,
                }
            )
    return mismatches
