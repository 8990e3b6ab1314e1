"""Balances at a point in time and account statements, read from a user wallet's entries.

Every entry of a user wallet carries `balance_after`, so the balance at an instant is one probe of
entry_wallet_created_idx (wallet, created_at): the newest entry stamped at or before it. A statement
walks the same index over its period once, in posting order, keeping the running balance and the
totals as it goes, so it never holds more than one chunk of entries however long it is.

Periods are whole UTC days: `date_from` 00:00 up to the day after `date_to` 00:00 (exclusive).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from ledger.exceptions import BalanceInstantInFuture, StatementRangeInvalid
from ledger.models import Entry, EntryDirection
from ledger.selectors import on_hold_at
from wallets.models import Wallet, WalletKind

# Rows fetched per round trip from the server-side cursor of a statement.
STATEMENT_CHUNK_ROWS = 2000


@dataclass(frozen=True)
class BalanceAt:
    wallet: Wallet
    at: datetime
    balance: int  # minor units: available + what holds set aside at that instant
    available: int  # what the owner could have spent then: the wallet's entries up to that instant
    entry_at: datetime | None  # when the entry that set this balance was posted; None before the first


def _last_entry_query(wallet: Wallet, *, before: datetime, inclusive: bool) -> QuerySet:
    bound = {"created_at__lte" if inclusive else "created_at__lt": before}
    # Newest stamp first, then the higher id: two entries of one wallet stamped in the same
    # microsecond are told apart by the order they were posted in.
    return (
        Entry.objects.filter(wallet=wallet, **bound)
        .order_by("-created_at", "-id")
        .values("balance_after", "created_at")[:1]
    )


def _last_entry(wallet: Wallet, *, before: datetime, inclusive: bool) -> dict | None:
    return next(iter(_last_entry_query(wallet, before=before, inclusive=inclusive)), None)


def wallet_balance_at(*, wallet: Wallet, at: datetime, now: datetime | None = None) -> BalanceAt:
    """The user wallet's balance right after every entry stamped at or before `at`, and its holds then.

    Raises BalanceInstantInFuture for an `at` later than now (nothing is known about it yet).
    """
    if at > (now or timezone.now()):
        raise BalanceInstantInFuture(details={"at": at.isoformat()})
    row = _last_entry(wallet, before=at, inclusive=True)
    available = row["balance_after"] if row else 0
    return BalanceAt(
        wallet=wallet,
        at=at,
        balance=available + on_hold_at(wallet=wallet, at=at),
        available=available,
        entry_at=row["created_at"] if row else None,
    )


@dataclass(frozen=True)
class StatementPeriod:
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: 00:00 UTC of the day after `date_to`."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)


def statement_period_build(*, date_from: date, date_to: date, today: date | None = None) -> StatementPeriod:
    """A checked statement period; raises StatementRangeInvalid with the reason in `details.reason`."""
    today = today or timezone.now().astimezone(UTC).date()
    max_days = settings.STATEMENT_MAX_DAYS
    if date_to < date_from:
        reason, message = "to_before_from", "`to` is before `from`."
    elif date_to > today:
        reason, message = "to_in_future", "`to` is after today (UTC)."
    elif (date_to - date_from).days + 1 > max_days:
        reason, message = "too_long", f"A statement covers at most {max_days} days."
    else:
        return StatementPeriod(date_from=date_from, date_to=date_to)
    raise StatementRangeInvalid(message, details={"reason": reason, "max_days": max_days})


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    created_at: datetime
    reference: str
    kind: str
    description: str
    counterparty: str  # the other wallet's public id; "" for money from or to outside VaultPay
    direction: str  # "in" or "out", from the owner's side
    amount: int  # minor units, positive
    balance: int  # the running balance right after this line


@dataclass
class Statement:
    """One wallet's period: the opening balance now, the lines as they are read, the totals after them.

    `total_in`, `total_out` and `closing_balance` are complete once `lines()` has been consumed.
    """

    wallet: Wallet
    period: StatementPeriod
    opening_balance: int
    total_in: int = 0
    total_out: int = 0
    closing_balance: int = field(init=False)

    def __post_init__(self):
        self.closing_balance = self.opening_balance

    @property
    def currency(self) -> str:
        return self.wallet.currency

    def entries(self) -> QuerySet[Entry]:
        return (
            Entry.objects.filter(wallet=self.wallet, created_at__gte=self.period.start, created_at__lt=self.period.end)
            .select_related("transaction__from_wallet", "transaction__to_wallet")
            .order_by("created_at", "id")
        )

    def entry_count(self) -> int:
        return self.entries().count()

    def lines(self) -> Iterator[StatementLine]:
        """Each entry with its running balance, in posting order, through a server-side cursor."""
        balance = self.opening_balance
        for entry in self.entries().iterator(chunk_size=STATEMENT_CHUNK_ROWS):
            incoming = entry.direction == EntryDirection.CREDIT
            balance += entry.amount if incoming else -entry.amount
            if incoming:
                self.total_in += entry.amount
            else:
                self.total_out += entry.amount
            self.closing_balance = balance
            yield _line(entry, incoming=incoming, balance=balance)


def _line(entry: Entry, *, incoming: bool, balance: int) -> StatementLine:
    txn = entry.transaction
    other = txn.from_wallet if incoming else txn.to_wallet
    return StatementLine(
        entry_id=entry.pk,
        created_at=entry.created_at,
        reference=txn.reference,
        kind=txn.kind,
        description=txn.description,
        counterparty=other.public_id if other.kind == WalletKind.USER else "",
        direction="in" if incoming else "out",
        amount=entry.amount,
        balance=balance,
    )


def wallet_statement(*, wallet: Wallet, period: StatementPeriod) -> Statement:
    """The statement of a user wallet over a checked period (statement_period_build)."""
    row = _last_entry(wallet, before=period.start, inclusive=False)
    return Statement(wallet=wallet, period=period, opening_balance=row["balance_after"] if row else 0)
