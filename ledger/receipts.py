"""Receipts for a posted transaction: one in-app notification, one email and one webhook event per user party."""

from django.db import transaction

from accounts.notifications import user_notify
from ledger.models import Entry, Transaction, TransactionKind
from ledger.webhook_events import transaction_posted_emit
from vaultpay.console_settings import dispute_window_days
from vaultpay.money import format_minor
from vaultpay.plain_text import text_unlinkable
from wallets.models import Wallet, WalletKind


def _owner_name(wallet: Wallet) -> str:
    return wallet.owner.display_name if wallet.kind == WalletKind.USER else "VaultPay"


def _party_templates(txn: Transaction) -> list[tuple[Wallet, str, Wallet]]:
    """(the party's wallet, the template to send it, the other wallet) for every user party.

    A hold's own bookkeeping (authorization, release) sends no receipt: its webhook events and the
    hold itself say what happened; its capture is receipted as the payment it is.
    """
    pays_out = txn.to_wallet.kind != WalletKind.USER
    pairs = {
        TransactionKind.DEPOSIT: [(txn.to_wallet, "deposit", txn.from_wallet)],
        TransactionKind.WITHDRAWAL: [(txn.from_wallet, "withdrawal", txn.to_wallet)],
        TransactionKind.TRANSFER: [
            (txn.from_wallet, "transfer_sent", txn.to_wallet),
            (txn.to_wallet, "transfer_received", txn.from_wallet),
        ],
        TransactionKind.HOLD_CAPTURE: [
            (txn.from_wallet, "withdrawal" if pays_out else "transfer_sent", txn.to_wallet),
            (txn.to_wallet, "transfer_received", txn.from_wallet),
        ],
        TransactionKind.REVERSAL: [
            (txn.from_wallet, "reversal", txn.to_wallet),
            (txn.to_wallet, "reversal", txn.from_wallet),
        ],
        TransactionKind.REFUND: [
            (txn.from_wallet, "refund", txn.to_wallet),
            (txn.to_wallet, "refund", txn.from_wallet),
        ],
    }.get(txn.kind, [])
    return [(wallet, template, other) for wallet, template, other in pairs if wallet.kind == WalletKind.USER]


@transaction.atomic
def transaction_receipts_queue(*, transaction_id: str) -> int:
    """Create the notifications and queue the emails of one transaction; returns how many parties.

    Safe to run again for the same transaction: notifications and deliveries are unique per event.
    """
    txn = (
        Transaction.objects.select_related("from_wallet__owner", "to_wallet__owner", "reverses")
        .filter(pk=transaction_id)
        .first()
    )
    if txn is None:
        return 0
    balances = dict(Entry.objects.filter(transaction=txn).values_list("wallet_id", "balance_after"))
    parties = _party_templates(txn)
    for wallet, template, other in parties:
        amount = format_minor(txn.amount, txn.currency)
        context = {
            "transaction_id": str(txn.pk),
            "reference": txn.reference,
            "amount": amount,
            "currency": txn.currency,
            "wallet": wallet.public_id,
            "balance": format_minor(balances[wallet.pk], txn.currency),
            "counterparty": _owner_name(other),
            "description": text_unlinkable(txn.description),
            "created_at": txn.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "direction": "out" if wallet.pk == txn.from_wallet_id else "in",
            "original_reference": txn.reverses.reference if txn.reverses else "",
            "dispute_window_days": dispute_window_days(),
            "summary": f"{txn.get_kind_display()} {amount} {txn.currency} ({txn.reference})",
        }
        user_notify(user=wallet.owner, event_key=f"txn:{txn.pk}:{template}", kind=template, context=context)
        transaction_posted_emit(txn=txn, wallet=wallet, receipt=context)
    return len(parties)
