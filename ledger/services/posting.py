"""The one place that moves money: lock, check, update balances, write the balanced entries."""

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEventType
from audit.services import audit_record
from ledger.exceptions import InsufficientFunds
from ledger.limits import ledger_limits_apply
from ledger.models import Entry, EntryDirection, Transaction, TransactionKind
from ledger.tasks import send_transaction_receipts
from vaultpay.money import CurrencyMismatch, Money, format_minor
from wallets.limits import SPENT_FIELDS
from wallets.models import Wallet, WalletKind
from wallets.selectors import wallet_qs_select_for_update
from wallets.services import wallet_ensure_can_move_money, wallets_ensure_within_balance_cap


def wallets_lock(*wallets: Wallet) -> list[Wallet]:
    """Lock the wallets in ascending primary-key order; return fresh rows in the order given.

    The owners come along in the same query (only the wallet rows are locked): the response names
    the counterparty, and a separate query for it cost more than the join.
    """
    rows = wallet_qs_select_for_update().select_related("owner").filter(pk__in=[w.pk for w in wallets])
    locked = {w.pk: w for w in rows}
    return [locked[w.pk] for w in wallets]


@transaction.atomic(savepoint=False)
def ledger_post(
    *,
    kind: TransactionKind,
    source: Wallet,
    destination: Wallet,
    amount: Money,
    initiator,
    description: str = "",
    metadata: dict | None = None,
    reverses: Transaction | None = None,
) -> Transaction:
    """Move `amount` from `source` to `destination`, both already locked by the caller.

    Raises WalletFrozen, WalletClosed, CurrencyMismatch, InsufficientFunds, LimitExceeded,
    WalletBalanceCapReached. A user wallet
    never goes below zero; system wallets may (their negative balance is money that entered VaultPay).
    """
    for wallet in (source, destination):
        if wallet.kind == WalletKind.USER:
            wallet_ensure_can_move_money(wallet)
        if wallet.currency != amount.currency.code:
            raise CurrencyMismatch(details={"wallet": wallet.label, "wallet_currency": wallet.currency})
    if source.kind == WalletKind.USER and source.balance < amount.minor_units:
        raise InsufficientFunds(
            details={
                "balance": format_minor(source.balance, source.currency),
                "requested": format_minor(amount.minor_units, source.currency),
            }
        )
    now = timezone.now()
    ledger_limits_apply(kind=kind, source=source, amount=amount, now=now)
    source.balance -= amount.minor_units
    destination.balance += amount.minor_units
    wallets_ensure_within_balance_cap(source, destination)
    Wallet.objects.filter(pk=source.pk).update(
        balance=source.balance, updated_at=now, **{name: getattr(source, name) for name in SPENT_FIELDS}
    )
    Wallet.objects.filter(pk=destination.pk).update(balance=destination.balance, updated_at=now)

    posted = Transaction.objects.create(
        kind=kind,
        amount=amount.minor_units,
        currency=amount.currency.code,
        from_wallet=source,
        to_wallet=destination,
        initiator=initiator,
        description=description,
        metadata=metadata or {},
        reverses=reverses,
        created_at=now,  # the same instant the spent counters were advanced for
    )
    Entry.objects.bulk_create(
        [
            Entry(
                transaction=posted,
                wallet=source,
                direction=EntryDirection.DEBIT,
                amount=amount.minor_units,
                currency=amount.currency.code,
                balance_after=source.balance,
            ),
            Entry(
                transaction=posted,
                wallet=destination,
                direction=EntryDirection.CREDIT,
                amount=amount.minor_units,
                currency=amount.currency.code,
                balance_after=destination.balance,
            ),
        ]
    )
    audit_record(
        event_type=AuditEventType.MONEY_POSTED,
        actor=initiator,
        target=posted,
        new_values={"reference": posted.reference, "kind": kind, "amount": str(amount)},
    )
    # Receipts only for what committed: a rolled-back posting discards this callback. The task takes
    # the id and reads the row fresh; whatever happens to it (broker down, provider failing) never
    # reaches the money, which is already committed.
    transaction_id = str(posted.pk)
    transaction.on_commit(lambda: send_transaction_receipts.delay(transaction_id), robust=True)
    return posted
