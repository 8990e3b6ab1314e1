"""Disputes: a party opens one, a moderator takes it, then rejects it or reverses (all or part);
above the dual-control threshold a second moderator approves the reversal the first proposed.
No moderator decides a dispute they are party to or opened (ledger/services/dispute_controls.py).

Lock order in every step: the transaction row, then the dispute row, then wallets by primary key.
"""

from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.notifications import user_notify
from audit.models import AuditEventType
from audit.services import audit_record
from ledger.evidence import StoredEvidence, evidence_discard, evidence_read, evidence_store
from ledger.exceptions import (
    DisputeAmountInvalid,
    DisputeExists,
    DisputeNotAllowed,
    DisputeNotFound,
    DisputePermissionDenied,
    DisputeTransitionInvalid,
    DisputeWindowClosed,
    ReversalApprovalPending,
    ReversalExceedsAmount,
    ReversalNotProposed,
    ReversalSelfApproval,
)
from ledger.models import (
    DISPUTE_PENDING_STATUSES,
    HOLD_BOOKKEEPING_KINDS,
    RETURN_KINDS,
    Dispute,
    DisputeStatus,
    TransactionStatus,
)
from ledger.selectors import entry_for_user_and_transaction
from ledger.services.dispute_controls import (
    dispute_refuse_own_case,
    dispute_refuse_self_approval,
    reversal_needs_second_moderator,
)
from ledger.services.reversal import reversed_total, transaction_lock, transaction_reverse
from ledger.webhook_events import dispute_updated_emit
from vaultpay.console_settings import dispute_review_days, dispute_window_days
from vaultpay.errors import ValidationFailed
from vaultpay.money import currency_for, format_minor, parse_amount
from wallets.models import WalletKind

# How the decision reads in a sentence ("The dispute ... was decided: partially reversed").
_DECISION_LABELS = {
    DisputeStatus.RESOLVED_REVERSED: "reversed in full",
    DisputeStatus.RESOLVED_PARTIAL: "partially reversed",
    DisputeStatus.REJECTED: "rejected",
}

REVIEW_PERMISSION = "ledger.review_dispute"
REVERSE_PERMISSION = "ledger.reverse_dispute"


def _require_permission(user, permission: str) -> None:
    if not (user.is_active and user.has_perm(permission)):
        raise DisputePermissionDenied(details={"permission": permission})


@transaction.atomic(durable=True)
def dispute_open(
    *, user, transaction_id, reason: str, amount: str | None = None, evidence: UploadedFile | None = None
) -> Dispute:
    """A party to a transaction disputes it (all of what is left to reverse, or `amount` of it).

    Raises TransactionNotFound (not a party), DisputeNotAllowed, DisputeWindowClosed, DisputeExists,
    DisputeAmountInvalid, the amount errors of vaultpay.money, EvidenceTooLarge, EvidenceTypeUnsupported.
    """
    entry = entry_for_user_and_transaction(user=user, transaction_id=transaction_id)
    txn = transaction_lock(transaction_id=entry.transaction_id)
    _ensure_disputable(txn)
    remaining = txn.amount - reversed_total(original=txn)
    minor = remaining if amount in (None, "") else parse_amount(amount, currency_for(txn.currency))
    if minor > remaining:
        raise DisputeAmountInvalid(details={"max_amount": format_minor(remaining, txn.currency)})
    # Evidence is stored last, once every check passed; only the insert race below can discard it.
    stored = evidence_store(upload=evidence) if evidence is not None else None
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                transaction=txn,
                opened_by=user,
                reason=reason,
                amount=minor,
                currency=txn.currency,
                deadline_at=timezone.now() + timedelta(days=dispute_review_days()),
                **_evidence_fields(stored),
            )
    except IntegrityError as exc:  # the partial unique index: another dispute won the race
        if stored:
            evidence_discard(name=stored.name)
        raise DisputeExists() from exc
    audit_record(
        event_type=AuditEventType.DISPUTE_OPENED,
        actor=user,
        target=dispute,
        new_values={
            "transaction": txn.reference,
            "amount": format_minor(minor, txn.currency),
            "evidence": bool(stored),
        },
    )
    _notify_parties(dispute, "opened", "dispute_opened")
    return dispute


def _ensure_disputable(txn) -> None:
    if txn.kind in RETURN_KINDS + HOLD_BOOKKEEPING_KINDS or txn.status in (
        TransactionStatus.REVERSED,
        TransactionStatus.REFUNDED,
    ):
        raise DisputeNotAllowed()
    window_days = dispute_window_days()
    if timezone.now() - txn.created_at > timedelta(days=window_days):
        raise DisputeWindowClosed(details={"window_days": window_days})
    if Dispute.objects.filter(transaction=txn, status__in=DISPUTE_PENDING_STATUSES).exists():
        raise DisputeExists()


def _evidence_fields(stored: StoredEvidence | None) -> dict:
    if stored is None:
        return {}
    return {
        "evidence_name": stored.name,
        "evidence_content_type": stored.content_type,
        "evidence_size": stored.size,
        "evidence_key_id": stored.key_id,
        "evidence_wrapped_key": stored.wrapped_key,
    }


def _dispute_lock(dispute_id) -> Dispute:
    """Lock the dispute's transaction, then the dispute itself (the order every dispute step uses)."""
    transaction_id = Dispute.objects.filter(pk=dispute_id).values_list("transaction_id", flat=True).first()
    if transaction_id is None:
        raise DisputeNotFound()
    transaction_lock(transaction_id=transaction_id)
    return Dispute.objects.select_for_update(of=("self",)).select_related("transaction").get(pk=dispute_id)


def dispute_take(*, moderator, dispute_id) -> Dispute:
    """Open → under_review, assigned to the moderator. Raises DisputePermissionDenied,
    DisputeOwnCase (audited), DisputeNotFound, DisputeTransitionInvalid."""
    _require_permission(moderator, REVIEW_PERMISSION)
    dispute_refuse_own_case(moderator=moderator, dispute_id=dispute_id, step="take")
    return _dispute_take(moderator=moderator, dispute_id=dispute_id)


@transaction.atomic(durable=True)
def _dispute_take(*, moderator, dispute_id) -> Dispute:
    dispute = _dispute_lock(dispute_id)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeTransitionInvalid(details={"status": dispute.status})
    dispute.status = DisputeStatus.UNDER_REVIEW
    dispute.assigned_to = moderator
    dispute.save(update_fields=["status", "assigned_to", "updated_at"])
    audit_record(
        event_type=AuditEventType.DISPUTE_TAKEN,
        actor=moderator,
        target=dispute,
        old_values={"status": DisputeStatus.OPEN},
        new_values={"status": dispute.status},
    )
    _notify_parties(dispute, "under_review", "dispute_under_review")
    return dispute


def dispute_reject(*, moderator, dispute_id, reason: str) -> Dispute:
    """Open or under_review → rejected, with the reason both parties are told. Raises
    DisputePermissionDenied, DisputeOwnCase (audited), DisputeNotFound, DisputeTransitionInvalid,
    ValidationFailed."""
    _require_permission(moderator, REVIEW_PERMISSION)
    if not reason.strip():
        raise ValidationFailed("A rejection needs a reason.", details={"fields": {"reason": ["Required."]}})
    dispute_refuse_own_case(moderator=moderator, dispute_id=dispute_id, step="reject")
    return _dispute_reject(moderator=moderator, dispute_id=dispute_id, reason=reason.strip())


@transaction.atomic(durable=True)
def _dispute_reject(*, moderator, dispute_id, reason: str) -> Dispute:
    dispute = _dispute_lock(dispute_id)
    if not dispute.is_pending:
        raise DisputeTransitionInvalid(details={"status": dispute.status})
    old_status = dispute.status
    _decide(dispute, moderator, DisputeStatus.REJECTED, reason)
    audit_record(
        event_type=AuditEventType.DISPUTE_REJECTED,
        actor=moderator,
        target=dispute,
        old_values={"status": old_status},
        new_values={"status": dispute.status, "reason": dispute.decision_reason},
    )
    _notify_parties(dispute, "decided", "dispute_decided")
    return dispute


def dispute_reverse(
    *, moderator, dispute_id, amount: str | None = None, cover_from_suspense: bool = False, reason: str = ""
) -> Dispute:
    """Resolve a pending dispute by reversing the disputed amount (default: all of it that is left) or part of it.

    Above DISPUTE_DUAL_CONTROL_ABOVE the reversal is only proposed (the dispute stays pending until
    a second moderator calls dispute_reversal_approve). The reversal goes through ledger_post like any
    posting; the dispute's status check under its row lock makes a double submit reverse once.
    Raises DisputePermissionDenied, DisputeOwnCase (audited), DisputeNotFound, DisputeTransitionInvalid,
    ReversalApprovalPending, ReversalExceedsAmount, ReversalInsufficientFunds, WalletFrozen,
    WalletClosed and the amount errors of vaultpay.money.
    """
    _require_permission(moderator, REVERSE_PERMISSION)
    dispute_refuse_own_case(moderator=moderator, dispute_id=dispute_id, step="reverse")
    return _dispute_reverse(
        moderator=moderator,
        dispute_id=dispute_id,
        amount=amount,
        cover_from_suspense=cover_from_suspense,
        reason=reason.strip(),
    )


@transaction.atomic(durable=True)
def _dispute_reverse(*, moderator, dispute_id, amount: str | None, cover_from_suspense: bool, reason: str) -> Dispute:
    dispute = _dispute_lock(dispute_id)
    if not dispute.is_pending:
        raise DisputeTransitionInvalid(details={"status": dispute.status})
    if dispute.awaits_reversal_approval:
        raise ReversalApprovalPending(details={"proposed_by": dispute.reversal_proposed_by_id})
    if amount in (None, ""):
        # The disputed amount, or what is left of it once the receiver refunded part of the payment
        # meanwhile (the payment's row is locked: the refunds cannot move under us).
        minor = min(dispute.amount, dispute.transaction.amount - reversed_total(original=dispute.transaction))
    else:
        minor = parse_amount(amount, currency_for(dispute.currency))
    if minor > dispute.amount:
        raise ReversalExceedsAmount(details={"disputed": format_minor(dispute.amount, dispute.currency)})
    if reversal_needs_second_moderator(amount=minor, currency=dispute.currency):
        return _reversal_propose(dispute, moderator, minor, cover_from_suspense, reason)
    return _reversal_post(dispute, moderator, minor, cover_from_suspense, reason)


def dispute_reversal_approve(*, moderator, dispute_id) -> Dispute:
    """A second moderator approves the reversal another one proposed; it is posted as proposed.

    Raises DisputePermissionDenied, DisputeOwnCase and ReversalSelfApproval (both audited),
    DisputeNotFound, DisputeTransitionInvalid, ReversalNotProposed and the reversal errors of
    dispute_reverse.
    """
    _require_permission(moderator, REVERSE_PERMISSION)
    dispute_refuse_own_case(moderator=moderator, dispute_id=dispute_id, step="approve_reversal")
    dispute_refuse_self_approval(moderator=moderator, dispute_id=dispute_id)
    return _dispute_reversal_approve(moderator=moderator, dispute_id=dispute_id)


@transaction.atomic(durable=True)
def _dispute_reversal_approve(*, moderator, dispute_id) -> Dispute:
    dispute = _dispute_lock(dispute_id)
    if not dispute.is_pending:
        raise DisputeTransitionInvalid(details={"status": dispute.status})
    if not dispute.awaits_reversal_approval:
        raise ReversalNotProposed()
    if dispute.reversal_proposed_by_id == moderator.pk:  # checked (and audited) before the lock too
        raise ReversalSelfApproval()
    dispute.reversal_approved_by = moderator
    return _reversal_post(
        dispute,
        moderator,
        dispute.reversal_proposed_amount,
        dispute.reversal_proposed_cover_from_suspense,
        dispute.reversal_proposed_reason,
    )


def _reversal_propose(dispute: Dispute, moderator, minor: int, cover_from_suspense: bool, reason: str) -> Dispute:
    dispute.reversal_proposed_by = moderator
    dispute.reversal_proposed_amount = minor
    dispute.reversal_proposed_cover_from_suspense = cover_from_suspense
    dispute.reversal_proposed_reason = reason
    dispute.reversal_proposed_at = timezone.now()
    dispute.save(
        update_fields=[
            "reversal_proposed_by",
            "reversal_proposed_amount",
            "reversal_proposed_cover_from_suspense",
            "reversal_proposed_reason",
            "reversal_proposed_at",
            "updated_at",
        ]
    )
    audit_record(
        event_type=AuditEventType.DISPUTE_REVERSAL_PROPOSED,
        actor=moderator,
        target=dispute,
        new_values={"amount": format_minor(minor, dispute.currency), "cover_from_suspense": cover_from_suspense},
    )
    return dispute


def _reversal_post(dispute: Dispute, moderator, minor: int, cover_from_suspense: bool, reason: str) -> Dispute:
    """Post the reversal through transaction_reverse and close the dispute (under its locks)."""
    result = transaction_reverse(
        original_id=dispute.transaction_id,
        amount=minor,
        actor=moderator,
        cover_from_suspense=cover_from_suspense,
        metadata={"dispute": str(dispute.pk)},
    )
    old_status = dispute.status
    status = DisputeStatus.RESOLVED_REVERSED if minor == dispute.amount else DisputeStatus.RESOLVED_PARTIAL
    dispute.reversed_amount = result.amount
    dispute.suspense_covered_amount = result.suspense_covered
    extra_fields = ["reversed_amount", "suspense_covered_amount", "reversal_approved_by"]
    _decide(dispute, moderator, status, reason, extra_fields=extra_fields)
    audit_record(
        event_type=AuditEventType.DISPUTE_REVERSED,
        actor=moderator,
        target=dispute,
        old_values={"status": old_status},
        new_values={
            "status": status,
            "reversed": format_minor(result.amount, dispute.currency),
            "suspense_covered": format_minor(result.suspense_covered, dispute.currency),
            "reversals": [t.reference for t in result.reversals],
            "proposed_by": dispute.reversal_proposed_by_id,
        },
    )
    _notify_parties(dispute, "decided", "dispute_decided")
    return dispute


def _decide(dispute: Dispute, moderator, status: str, reason: str, extra_fields: list[str] | None = None) -> None:
    dispute.status = status
    dispute.decided_by = moderator
    dispute.decided_at = timezone.now()
    dispute.decision_reason = reason
    fields = ["status", "decided_by", "decided_at", "decision_reason", "updated_at", *(extra_fields or [])]
    dispute.save(update_fields=fields)


def _notify_parties(dispute: Dispute, step: str, template: str) -> None:
    """Both user parties of the disputed transaction hear of every step (in the app, by email, by webhook)."""
    txn = dispute.transaction
    context = {
        "dispute_id": str(dispute.pk),
        "transaction_id": str(txn.pk),
        "reference": txn.reference,
        "amount": format_minor(dispute.amount, dispute.currency),
        "currency": dispute.currency,
        "status": dispute.status,
        "decision_label": _DECISION_LABELS.get(dispute.status, dispute.get_status_display().lower()),
        "decision_reason": dispute.decision_reason,
        "reversed_amount": format_minor(dispute.reversed_amount, dispute.currency) if dispute.reversed_amount else "",
        "deadline": dispute.deadline_at.strftime("%Y-%m-%d"),
        "summary": f"Dispute on {txn.reference}: {dispute.get_status_display()}",
    }
    for wallet in (txn.from_wallet, txn.to_wallet):
        if wallet.kind != WalletKind.USER:
            continue
        party_context = context | {"opened_by_you": wallet.owner_id == dispute.opened_by_id}
        user_notify(user=wallet.owner, event_key=f"dispute:{dispute.pk}:{step}", kind=template, context=party_context)
        dispute_updated_emit(dispute=dispute, wallet=wallet, step=step, notice=party_context)


@transaction.atomic
def dispute_evidence_open(*, moderator, dispute_id) -> tuple[bytes, str]:
    """Decrypt a dispute's evidence for a moderator; every view is audited.

    Raises DisputePermissionDenied, DisputeNotFound (also when there is no evidence).
    """
    _require_permission(moderator, REVIEW_PERMISSION)
    dispute = Dispute.objects.filter(pk=dispute_id).exclude(evidence_name="").first()
    if dispute is None:
        raise DisputeNotFound("This dispute has no evidence.")
    audit_record(event_type=AuditEventType.DISPUTE_EVIDENCE_VIEWED, actor=moderator, target=dispute)
    plaintext = evidence_read(
        name=dispute.evidence_name, key_id=dispute.evidence_key_id, wrapped_key=dispute.evidence_wrapped_key
    )
    return plaintext, dispute.evidence_content_type
