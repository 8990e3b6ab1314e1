"""The ledger's invariants, checked from the entries up."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ledger.limits import usage_mismatches
from ledger.models import Entry, EntryDirection, Hold, HoldStatus, Transaction
from wallets.models import SystemWalletPurpose, Wallet, WalletKind

_SIGNED_AMOUNT = Case(
    When(direction=EntryDirection.CREDIT, then=F("amount")),
    default=-F("amount"),
    output_field=IntegerField(),
)


@dataclass
class ReconcileReport:
    wallets_checked: int = 0
    transactions_checked: int = 0
    wallet_mismatches: list[dict] = field(default_factory=list)
    unbalanced_transactions: list[dict] = field(default_factory=list)
    spent_mismatches: list[dict] = field(default_factory=list)
    hold_mismatches: list[dict] = field(default_factory=list)
    over_returned_transactions: list[dict] = field(default_factory=list)
    currency_totals: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (
            self.wallet_mismatches
            or self.unbalanced_transactions
            or self.spent_mismatches
            or self.hold_mismatches
            or self.over_returned_transactions
            or any(total != 0 for total in self.currency_totals.values())
        )

    def as_dict(self) -> dict:
        """The machine-readable report (`manage.py reconcile --json`); amounts in minor units."""
        return {"ok": self.ok, **asdict(self)}


def ledger_reconcile(*, progress: Callable[[int], None] | None = None) -> ReconcileReport:
    """Every user wallet's balance equals the sum of its entries (a system wallet caches none); every
    transaction balances; each currency sums to 0; every owner's usage counters equal what they sent
    this UTC day and month, per currency; holds (hold_mismatches) and money returned on a payment
    (over_returned_transactions) add up.

    `progress`, when given, is called with the number of wallets checked so far.
    """
    report = ReconcileReport()
    entry_sums = (
        Entry.objects.filter(wallet=OuterRef("pk")).values("wallet").annotate(total=Sum(_SIGNED_AMOUNT)).values("total")
    )
    wallets = Wallet.objects.annotate(ledger_total=Coalesce(Subquery(entry_sums), Value(0)))
    rows = wallets.values_list("pk", "public_id", "kind", "currency", "balance", "ledger_total")
    for wallet_id, label_id, kind, currency, balance, ledger_total in rows.iterator(chunk_size=5000):
        report.wallets_checked += 1
        if progress is not None:
            progress(report.wallets_checked)
        # A system wallet's balance is its entries' sum (it caches none: its cached balance stays 0).
        expected = ledger_total if kind == WalletKind.USER else 0
        held = balance if kind == WalletKind.USER else ledger_total
        report.currency_totals[currency] = report.currency_totals.get(currency, 0) + held
        if balance != expected:
            report.wallet_mismatches.append(
                {"wallet": label_id, "id": wallet_id, "balance": balance, "entries_total": ledger_total}
            )

    per_transaction = Entry.objects.values("transaction_id").annotate(net=Sum(_SIGNED_AMOUNT))
    report.transactions_checked = Transaction.objects.count()
    for row in per_transaction.exclude(net=0).values("transaction_id", "net")[:100]:
        report.unbalanced_transactions.append({"transaction": str(row["transaction_id"]), "net": row["net"]})
    for txn_id in Transaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)[:100]:
        report.unbalanced_transactions.append({"transaction": str(txn_id), "net": None, "reason": "no entries"})
    report.spent_mismatches = usage_mismatches(now=timezone.now())
    report.hold_mismatches = _hold_mismatches()
    report.over_returned_transactions = _over_returned()
    return report


def _hold_mismatches() -> list[dict]:
    """A wallet's on_hold is what its authorized holds set aside, and each currency's @holds holds exactly
    the authorized holds of that currency (its entries' sum)."""
    authorized = Hold.objects.filter(status=HoldStatus.AUTHORIZED)
    per_wallet = dict(authorized.values("wallet_id").annotate(total=Sum("amount")).values_list("wallet_id", "total"))
    mismatches = [
        {"wallet": public_id, "on_hold": on_hold, "authorized_holds": per_wallet.get(pk, 0)}
        for pk, public_id, on_hold in Wallet.objects.filter(Q(on_hold__gt=0) | Q(pk__in=per_wallet)).values_list(
            "pk", "public_id", "on_hold"
        )
        if on_hold != per_wallet.get(pk, 0)
    ]
    per_currency = dict(authorized.values("currency").annotate(total=Sum("amount")).values_list("currency", "total"))
    held = (
        Entry.objects.filter(wallet__kind=WalletKind.SYSTEM, wallet__system_purpose=SystemWalletPurpose.HOLDS)
        .values("currency")
        .annotate(total=Sum(_SIGNED_AMOUNT))
    )
    in_holds = {row["currency"]: row["total"] for row in held}
    for currency in sorted(per_currency.keys() | in_holds.keys()):
        if per_currency.get(currency, 0) != in_holds.get(currency, 0):
            mismatches.append(
                {
                    "wallet": f"@holds {currency}",
                    "entries_total": in_holds.get(currency, 0),
                    "authorized_holds": per_currency.get(currency, 0),
                }
            )
    return mismatches


def _over_returned() -> list[dict]:
    """Payments whose reversals and refunds total more than they did (the database guard forbids it)."""
    returned = (
        Transaction.objects.filter(reversals__isnull=False)
        .annotate(returned=Sum("reversals__amount"))
        .filter(returned__gt=F("amount"))
        .values("pk", "amount", "returned")[:100]
    )
    return [{"transaction": str(row["pk"]), "amount": row["amount"], "returned": row["returned"]} for row in returned]
