"""The ledger's webhook events: what each user party of a posting, a hold, a refund or a dispute is sent."""

from django.db import transaction

from accounts.webhooks.services import webhook_event_emit
from ledger.models import Dispute, Hold, HoldStatus, Transaction
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


def hold_events_emit(subjects: list[str]) -> int:
    """`hold.authorized|captured|voided|expired` for each hold's owner, from the outbox's "<hold id>:<event type>"
    subjects (written with each step: ledger.services.holds); returns how many were emitted."""
    wanted = [subject.split(":", 1) for subject in subjects]
    found = Hold.objects.select_related("owner", "wallet").in_bulk([hold_id for hold_id, _ in wanted])
    holds = {str(pk): hold for pk, hold in found.items()}
    emitted = 0
    for hold_id, event_type in wanted:
        hold = holds.get(hold_id)
        if hold is None:
            continue
        with transaction.atomic():
            _hold_event_emit(hold, event_type)
        emitted += 1
    return emitted


def _hold_event_emit(hold: Hold, event_type: str) -> None:
    # A settled hold never changes again; an authorization is described as it stood then, even if the
    # hold has settled by the time the relay gets to it.
    authorized = event_type == "hold.authorized"
    webhook_event_emit(
        user=hold.owner,
        event_type=event_type,
        key=f"{event_type}:{hold.pk}",
        data={
            "hold_id": str(hold.pk),
            "status": HoldStatus.AUTHORIZED if authorized else hold.status,
            "amount": format_minor(hold.amount, hold.currency),
            "captured_amount": format_minor(0 if authorized else hold.captured_amount, hold.currency),
            "currency": hold.currency,
            "wallet": hold.wallet.public_id,
            "metadata": hold.metadata,
            "expires_at": _utc(hold.expires_at),
            "settled_at": None if authorized else _utc(hold.settled_at),
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
