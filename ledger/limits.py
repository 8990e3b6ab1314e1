"""How much a wallet has sent today and this month, summed from its posted ledger transactions."""

from datetime import UTC, datetime

from django.db.models import Q, Sum
from django.utils import timezone

from ledger.models import Transaction, TransactionKind
from vaultpay.money import Money
from wallets.limits import LimitUsage, limits_enforce
from wallets.models import Wallet, WalletKind

# Money a user sends away. Deposits, incoming transfers, fees and reversals do not count; a payment
# later reversed still counts for the day it was sent (a reversal is a new transaction).
OUTGOING_KINDS = (TransactionKind.WITHDRAWAL, TransactionKind.TRANSFER)


def wallet_outgoing_usage(*, wallet: Wallet, now: datetime | None = None) -> LimitUsage:
    """Outgoing totals for the current UTC day and month, in one aggregate over an indexed range.

    Each outgoing transaction debits exactly `from_wallet` by `amount` (its debit entry), so summing
    the transactions equals summing those entries, and it is an index-only scan of
    transaction_outgoing_idx instead of a join from entries to their transaction's kind.
    """
    now = (now or timezone.now()).astimezone(UTC)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day_start.replace(day=1)
    totals = Transaction.objects.filter(
        from_wallet=wallet, kind__in=OUTGOING_KINDS, created_at__gte=month_start
    ).aggregate(monthly=Sum("amount"), daily=Sum("amount", filter=Q(created_at__gte=day_start)))
    return LimitUsage(daily=totals["daily"] or 0, monthly=totals["monthly"] or 0)


def ledger_limits_check(*, kind: str, source: Wallet, amount: Money, now: datetime) -> None:
    """Refuse an outgoing payment from a user wallet above its tier's limits; raises LimitExceeded.

    Call it with `source` locked: two concurrent payments from one wallet then run this check one
    after the other, and the second one sees the first one's transaction.
    """
    if kind not in OUTGOING_KINDS or source.kind != WalletKind.USER:
        return
    limits_enforce(wallet=source, amount_minor=amount.minor_units, used=wallet_outgoing_usage(wallet=source, now=now))
