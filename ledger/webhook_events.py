"""The ledger's webhook events: what each user party of a posting, a hold, a refund or a dispute is sent."""

from accounts.webhooks.services import webhook_event_emit
from ledger.models import Dispute, Hold, Transaction
from vaultpay.money import format_minor
from wallets.models import Wallet


def _utc(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def transaction_posted_emit(*, txn: Transaction, wallet: Wallet, receipt: dict) -> None:
    """`transaction.posted` for the owner of `wallet`, from the receipt the party is sent (ledger.receipts)."""
    webhook_event_emit(
        user=wallet.owner,
        event_type="transaction.posted",
        key=f"transaction.posted:{txn.pk}:{wallet.pk}",
        data={
            "transaction_id": str(txn.pk),
            "reference": txn.reference,
            "kind": txn.kind,
            "direction": receipt["direction"],
            "amount": receipt["amount"],
            "currency": txn.currency,
            "wallet": wallet.public_id,
            "balance_after": receipt["balance"],
            "reverses": receipt["original_reference"] or None,
            "posted_at": _utc(txn.created_at),
        },
    )


def dispute_updated_emit(*, dispute: Dispute, wallet: Wallet, step: str, notice: dict) -> None:
    """`dispute.updated` for the owner of `wallet`, at each step of the dispute (opened, under_review, decided)."""
    webhook_event_emit(
        user=wallet.owner,
        event_type="dispute.updated",
        key=f"dispute.updated:{dispute.pk}:{step}:{wallet.pk}",
        data={
            "dispute_id": str(dispute.pk),
            "transaction_id": notice["transaction_id"],
            "reference": notice["reference"],
            "status": dispute.status,
            "amount": notice["amount"],
            "currency": dispute.currency,
            "reversed_amount": notice["reversed_amount"] or None,
            "decision_reason": dispute.decision_reason,
            "opened_by_you": notice["opened_by_you"],
        },
    )


def hold_event_emit(*, hold: Hold, event_type: str) -> None:
    """`hold.authorized|captured|voided|expired` for the hold's owner, in the settlement's own transaction."""
    webhook_event_emit(
        user=hold.owner,
        event_type=event_type,
        key=f"{event_type}:{hold.pk}",
        data={
            "hold_id": str(hold.pk),
            "status": hold.status,
            "amount": format_minor(hold.amount, hold.currency),
            "captured_amount": format_minor(hold.captured_amount, hold.currency),
            "currency": hold.currency,
            "wallet": hold.wallet.public_id,
            "metadata": hold.metadata,
            "expires_at": _utc(hold.expires_at),
            "settled_at": _utc(hold.settled_at),
        },
    )


def refund_posted_emit(*, refund: Transaction, original: Transaction) -> None:
    """`refund.posted` for both parties: the receiver who refunded and the sender paid back."""
    for wallet, direction in ((refund.from_wallet, "out"), (refund.to_wallet, "in")):
        webhook_event_emit(
            user=wallet.owner,
            event_type="refund.posted",
            key=f"refund.posted:{refund.pk}:{wallet.pk}",
            data={
                "transaction_id": str(refund.pk),
                "reference": refund.reference,
                "refunds": original.reference,
                "refunds_transaction_id": str(original.pk),
                "direction": direction,
                "amount": format_minor(refund.amount, refund.currency),
                "currency": refund.currency,
                "wallet": wallet.public_id,
                "reason": refund.description,
                "metadata": refund.metadata,
                "posted_at": _utc(refund.created_at),
            },
        )
