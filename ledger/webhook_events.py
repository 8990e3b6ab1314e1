"""The ledger's webhook events: what each user party of a posting or a dispute is sent."""

from accounts.webhooks.services import webhook_event_emit
from ledger.models import Dispute, Transaction
from wallets.models import Wallet


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
            "posted_at": txn.created_at.isoformat().replace("+00:00", "Z"),
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
