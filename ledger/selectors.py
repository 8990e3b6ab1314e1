from datetime import UTC, datetime

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ledger.exceptions import DisputeNotFound, HoldNotFound, TransactionNotFound
from ledger.models import (
    DISPUTE_PENDING_STATUSES,
    Dispute,
    Entry,
    EntryDirection,
    Hold,
    HoldStatus,
    Transaction,
    TransactionKind,
)
from wallets.models import Wallet

# History's `direction` filter, from the caller's side: money in is a credit to their wallet.
_DIRECTION_ENTRIES = {"in": EntryDirection.CREDIT, "out": EntryDirection.DEBIT}


def entry_history_for_user(
    *,
    user,
    kind: str | None = None,
    direction: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    metadata: dict | None = None,
) -> QuerySet[Entry]:
    """The user's side of every transaction, newest first (one entry per transaction and wallet).

    The wallet ids are a list, not a subquery: with `wallet_id IN (<ids>)` PostgreSQL walks
    entry_wallet_newest_idx in order and stops after one page, where a subquery made it scan the
    whole ledger backwards. A page is chosen by id and then loaded (history_page).
    """
    wallet_ids = list(Wallet.objects.filter(owner=user).values_list("pk", flat=True))
    entries = (
        Entry.objects.filter(wallet_id__in=wallet_ids)
        .select_related("transaction", "transaction__reverses")
        .order_by("-id")
    )
    if kind:
        entries = entries.filter(transaction__kind=kind)
    if direction:
        entries = entries.filter(direction=_DIRECTION_ENTRIES[direction])
    if created_after:
        entries = entries.filter(created_at__gte=created_after)
    if created_before:
        entries = entries.filter(created_at__lt=created_before)
    if metadata:
        # Containment (@>) with the index's own condition, so transaction_metadata_idx (partial) answers it.
        entries = entries.filter(transaction__metadata__contains=metadata).exclude(transaction__metadata={})
    return entries


def entry_for_user_and_transaction(*, user, transaction_id) -> Entry:
    """The user's entry in one transaction; raises TransactionNotFound (404) for anyone not a party."""
    entry = entry_history_for_user(user=user).filter(transaction_id=transaction_id).first() if transaction_id else None
    if entry is None:
        raise TransactionNotFound()
    return entry


def entry_for_user_and_reference(*, user, reference: str) -> Entry:
    """The user's entry in the transaction with this public reference; TransactionNotFound (404) otherwise."""
    entry = entry_history_for_user(user=user).filter(transaction__reference=reference).first()
    if entry is None:
        raise TransactionNotFound()
    return entry


def entries_of_transaction(*, transaction: Transaction) -> QuerySet[Entry]:
    return transaction.entries.select_related("wallet").order_by("id")


# What the dashboard's volumes count: money users moved, not reversals or fees.
VOLUME_KINDS = (TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL, TransactionKind.TRANSFER)


def ledger_volume_today() -> list[dict]:
    """Per currency, the count and total of deposits, withdrawals and transfers since 00:00 UTC."""
    day_start = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return _volume(Transaction.objects.filter(created_at__gte=day_start))


def ledger_volume_all_time() -> list[dict]:
    """Per currency, the count and total of every deposit, withdrawal and transfer ever posted."""
    return _volume(Transaction.objects.all())


def _volume(transactions: QuerySet[Transaction]) -> list[dict]:
    rows = (
        transactions.filter(kind__in=VOLUME_KINDS)
        .values("currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by("currency")
    )
    return [{"currency": r["currency"], "total_minor": r["total"], "count": r["count"]} for r in rows]


def disputes_for_user(*, user) -> QuerySet[Dispute]:
    """Disputes the user opened, newest first."""
    return Dispute.objects.filter(opened_by=user).select_related("transaction").order_by("-created_at")


def dispute_get_for_user(*, user, dispute_id) -> Dispute:
    """One of the user's own disputes; raises DisputeNotFound (404) for anyone else's."""
    dispute = disputes_for_user(user=user).filter(pk=dispute_id).first()
    if dispute is None:
        raise DisputeNotFound()
    return dispute


def disputes_pending_count() -> int:
    """Disputes still waiting for a moderator (open or under review), for the dashboard."""
    return Dispute.objects.filter(status__in=DISPUTE_PENDING_STATUSES).count()


def history_page(entry_ids: list[int]) -> list[Entry]:
    """A history page's entries, newest first, each with its transaction and both wallets and owners.

    The page is chosen by id first (the paginator runs over `.values("id")`): PostgreSQL answers that
    with an index-only scan of entry_wallet_newest_idx. Asked for whole rows, it could prefer walking
    the primary key backwards and filtering, fine while the wallet is busy, but past every other
    wallet's entries once it has gone quiet (42,000 rows for one page in bench/history.py).
    """
    entries = list(
        Entry.objects.filter(pk__in=entry_ids).select_related("transaction", "transaction__reverses").order_by("-id")
    )
    _load_counterparties([entry.transaction for entry in entries])
    return entries


def _load_counterparties(transactions: list[Transaction]) -> None:
    """Both wallets of each transaction with their owners, in one small query.

    One seven-table join took PostgreSQL longer to plan than to run; one IN lookup over both sides'
    wallet ids plans instantly (and a wallet on several rows of the page is loaded once).
    """
    wallet_ids = {pk for txn in transactions for pk in (txn.from_wallet_id, txn.to_wallet_id)}
    wallets = Wallet.objects.select_related("owner").in_bulk(wallet_ids)
    for txn in transactions:
        txn.from_wallet = wallets[txn.from_wallet_id]
        txn.to_wallet = wallets[txn.to_wallet_id]


def wallet_balance_from_entries(wallet: Wallet) -> int:
    """A wallet's balance as its entries say: the only balance a system wallet has (it caches none)."""
    signed = Case(When(direction=EntryDirection.CREDIT, then=F("amount")), default=-F("amount"))
    return Entry.objects.filter(wallet=wallet).aggregate(total=Coalesce(Sum(signed), 0))["total"]


def holds_for_user(*, user) -> QuerySet[Hold]:
    """The user's holds, newest first."""
    # owner_id: a money request's caller is the token's user id (accounts.authentication.TokenCaller).
    return Hold.objects.filter(owner_id=user.pk).select_related("wallet", "to_wallet").order_by("-created_at", "-pk")


def hold_get_for_user(*, user, hold_id) -> Hold:
    """One of the user's own holds; raises HoldNotFound (404) for anyone else's."""
    hold = holds_for_user(user=user).filter(pk=hold_id).first() if hold_id else None
    if hold is None:
        raise HoldNotFound()
    return hold


def hold_for_transaction(*, transaction: Transaction) -> Hold:
    """The hold a posting authorized, captured or released (what a replayed hold request answers with)."""
    return (
        Hold.objects.select_related("wallet", "to_wallet")
        .filter(Q(authorization=transaction) | Q(capture=transaction) | Q(release=transaction))
        .get()
    )


def on_hold_at(*, wallet: Wallet, at: datetime) -> int:
    """What the wallet's holds set aside at `at`: authorized by then and not yet settled (hold_wallet_created_idx)."""
    return (
        Hold.objects.filter(wallet=wallet, created_at__lte=at)
        .filter(Q(settled_at__isnull=True) | Q(settled_at__gt=at))
        .aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    )


def holds_authorized_total(*, wallet: Wallet) -> int:
    return Hold.objects.filter(wallet=wallet, status=HoldStatus.AUTHORIZED).aggregate(total=Coalesce(Sum("amount"), 0))[
        "total"
    ]
