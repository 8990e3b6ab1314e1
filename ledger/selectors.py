from datetime import datetime

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from ledger.exceptions import TransactionNotFound
from ledger.models import Entry, Transaction
from wallets.models import Wallet


def entry_history_for_user(
    *, user, kind: str | None = None, created_after: datetime | None = None, created_before: datetime | None = None
) -> QuerySet[Entry]:
    """The user's side of every transaction, newest first (one entry per transaction and wallet).

    The wallet ids are a list, not a subquery: with `wallet_id IN (<ids>)` PostgreSQL walks
    entry_wallet_newest_idx in order and stops after one page, where a subquery made it scan the
    whole ledger backwards. The counterparties are loaded per page (entries_with_counterparties).
    """
    wallet_ids = list(Wallet.objects.filter(owner=user).values_list("pk", flat=True))
    entries = Entry.objects.filter(wallet_id__in=wallet_ids).select_related("transaction").order_by("-id")
    if kind:
        entries = entries.filter(transaction__kind=kind)
    if created_after:
        entries = entries.filter(created_at__gte=created_after)
    if created_before:
        entries = entries.filter(created_at__lt=created_before)
    return entries


def entry_for_user_and_transaction(*, user, transaction_id) -> Entry:
    """The user's entry in one transaction; raises TransactionNotFound (404) for anyone not a party."""
    entry = entry_history_for_user(user=user).filter(transaction_id=transaction_id).first() if transaction_id else None
    if entry is None:
        raise TransactionNotFound()
    return entry


def entries_of_transaction(*, transaction: Transaction) -> QuerySet[Entry]:
    return transaction.entries.select_related("wallet").order_by("id")


def entries_with_counterparties(entries: list[Entry]) -> list[Transaction]:
    """The page's transactions with both wallets and their owners loaded, in a few small queries.

    One seven-table join took PostgreSQL longer to plan than to run; per-page IN lookups plan instantly.
    """
    wallets = Wallet.objects.select_related("owner")
    prefetch_related_objects(
        entries,
        Prefetch("transaction__from_wallet", queryset=wallets),
        Prefetch("transaction__to_wallet", queryset=wallets),
    )
    return [entry.transaction for entry in entries]
