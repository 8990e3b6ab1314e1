"""KYC writes: submit a document, review it, open it for a moderator."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.notifications import user_notify
from accounts.webhooks.services import webhook_event_emit
from audit.models import AuditEventType
from audit.services import audit_record
from kyc.encryption import (
    SealedDocument,
    current_key_id,
    data_key_rewrap,
    document_fingerprint,
    document_open,
    document_seal,
)
from kyc.exceptions import (
    KycAlreadyVerified,
    KycDocumentDuplicate,
    KycDocumentUnreadable,
    KycFileEmpty,
    KycOwnSubmission,
    KycRejectionReasonRequired,
    KycSubmissionNotPending,
    KycSubmissionPending,
)
from kyc.models import DocumentType, KycDocument, KycDuplicateAttempt, KycStatus, KycSubmission
from kyc.selectors import kyc_document_with_fingerprint_of_other_user
from kyc.uploads import sniff_content_type
from wallets.models import LimitTier
from wallets.selectors import wallet_get_open_for_user
from wallets.services import wallet_set_limit_tier


def kyc_submit(*, user, document_type: DocumentType, document_number: str, content: bytes) -> KycSubmission:
    """Store an encrypted identity document for review.

    Raises WalletNotFound (verification raises a wallet's limits: open one first), KycFileEmpty,
    KycFileTypeUnsupported, KycSubmissionPending, KycAlreadyVerified, KycDocumentDuplicate (after
    recording the attempt for moderators).
    """
    wallet_get_open_for_user(user=user)
    _ensure_no_open_submission(user)
    if not content:
        raise KycFileEmpty()
    content_type = sniff_content_type(content)
    fingerprint = document_fingerprint(content)
    if matched := kyc_document_with_fingerprint_of_other_user(fingerprint=fingerprint, user=user):
        kyc_duplicate_flag(user=user, matched=matched.submission, document_type=document_type, number=document_number)
        raise KycDocumentDuplicate()
    try:
        return _submission_create(
            user=user,
            document_type=document_type,
            document_number=document_number,
            content=content,
            content_type=content_type,
            fingerprint=fingerprint,
        )
    except IntegrityError:
        # kyc_one_open_submission_per_user caught a concurrent upload of the same user.
        _ensure_no_open_submission(user)
        raise


def _ensure_no_open_submission(user) -> None:
    statuses = set(KycSubmission.objects.filter(user=user).values_list("status", flat=True))
    if KycStatus.APPROVED in statuses:
        raise KycAlreadyVerified()
    if KycStatus.PENDING in statuses:
        raise KycSubmissionPending()


@transaction.atomic
def _submission_create(
    *, user, document_type: str, document_number: str, content: bytes, content_type: str, fingerprint: str
) -> KycSubmission:
    submission = KycSubmission.objects.create(
        id=uuid.uuid4(), user=user, document_type=document_type, document_number=document_number
    )
    sealed = document_seal(plaintext=content, submission_id=submission.id)
    storage_name = f"kyc/{uuid.uuid4().hex}.bin"
    KycDocument.objects.create(
        submission=submission,
        storage_name=storage_name,
        content_type=content_type,
        size=len(content),
        key_id=sealed.key_id,
        wrapped_key=sealed.wrapped_key,
        fingerprint=fingerprint,
    )
    audit_record(
        event_type=AuditEventType.KYC_SUBMITTED,
        actor=user,
        target=submission,
        new_values={"document_type": document_type, "content_type": content_type, "size": len(content)},
    )
    # Only ciphertext is written, and last: every check that could roll the rows back has passed.
    saved_name = default_storage.save(storage_name, ContentFile(sealed.ciphertext))
    if saved_name != storage_name:  # the storage renamed it on a clash, which a random name makes unreachable
        KycDocument.objects.filter(submission=submission).update(storage_name=saved_name)
    return submission


@transaction.atomic
def kyc_duplicate_flag(*, user, matched: KycSubmission, document_type: str, number: str) -> KycDuplicateAttempt:
    """Record that `user` uploaded a document already on file for another user (committed on its own)."""
    attempt = KycDuplicateAttempt.objects.create(
        user=user, matched_submission=matched, document_type=document_type, document_number=number
    )
    audit_record(
        event_type=AuditEventType.KYC_DUPLICATE_FLAGGED,
        actor=user,
        target=matched,
        new_values={"attempt_id": attempt.pk, "attempted_by": user.pk},
    )
    return attempt


def _locked_pending(submission: KycSubmission) -> KycSubmission:
    # of=("self",): only the submission. Locking the joined user row too would make every money posting
    # of that user (whose deferred foreign-key checks take a share lock on it at commit) wait for this
    # review, while the review waits for the posting's wallet lock: a deadlock.
    locked = KycSubmission.objects.select_for_update(of=("self",)).select_related("user").get(pk=submission.pk)
    if locked.status != KycStatus.PENDING:
        raise KycSubmissionNotPending(details={"status": locked.status})
    return locked


def _refuse_own_submission(*, submission: KycSubmission, moderator, decision: str) -> None:
    """Nobody decides on their own KYC: raise KycOwnSubmission, with the attempt committed to the audit log.

    Checked before the decision's transaction opens (the submitter of a submission never changes), so
    the refusal's audit event is not rolled back with it.
    """
    if submission.user_id != moderator.pk:
        return
    with transaction.atomic():
        audit_record(
            event_type=AuditEventType.MODERATION_OWN_CASE_REFUSED,
            actor=moderator,
            target=submission,
            new_values={"attempted": f"kyc.{decision}", "why": "own_submission"},
        )
    raise KycOwnSubmission()


def kyc_approve(*, submission: KycSubmission, moderator) -> KycSubmission:
    """Approve, raise the user's wallet to the verified tier (same transaction), email the user.

    Raises KycOwnSubmission (audited), KycSubmissionNotPending.
    """
    _refuse_own_submission(submission=submission, moderator=moderator, decision="approve")
    return _kyc_approve(submission=submission, moderator=moderator)


@transaction.atomic
def _kyc_approve(*, submission: KycSubmission, moderator) -> KycSubmission:
    submission = _locked_pending(submission)
    submission.status = KycStatus.APPROVED
    submission.reviewed_by, submission.reviewed_at = moderator, timezone.now()
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        event_type=AuditEventType.KYC_APPROVED,
        actor=moderator,
        target=submission,
        old_values={"status": KycStatus.PENDING},
        new_values={"status": KycStatus.APPROVED},
    )
    wallet_set_limit_tier(owner=submission.user, tier=LimitTier.VERIFIED, actor=moderator)
    _notify_decision(submission)
    return submission


def kyc_reject(*, submission: KycSubmission, moderator, reason: str) -> KycSubmission:
    """Reject with a reason the user will read, and email them.

    Raises KycOwnSubmission (audited), KycRejectionReasonRequired, KycSubmissionNotPending.
    """
    _refuse_own_submission(submission=submission, moderator=moderator, decision="reject")
    return _kyc_reject(submission=submission, moderator=moderator, reason=reason)


@transaction.atomic
def _kyc_reject(*, submission: KycSubmission, moderator, reason: str) -> KycSubmission:
    reason = (reason or "").strip()
    if not reason:
        raise KycRejectionReasonRequired()
    submission = _locked_pending(submission)
    submission.status = KycStatus.REJECTED
    submission.rejection_reason = reason
    submission.reviewed_by, submission.reviewed_at = moderator, timezone.now()
    submission.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    audit_record(
        event_type=AuditEventType.KYC_REJECTED,
        actor=moderator,
        target=submission,
        old_values={"status": KycStatus.PENDING},
        new_values={"status": KycStatus.REJECTED, "reason": reason},
    )
    _notify_decision(submission)
    return submission


def _notify_decision(submission: KycSubmission) -> None:
    # In the decision's own transaction: the notification, the exactly-once email row and the
    # webhook event commit with it, and the sends are dispatched after commit (a broker outage
    # never undoes the decision).
    approved = submission.status == KycStatus.APPROVED
    user_notify(
        user=submission.user,
        event_key=f"kyc:{submission.pk}:decided",
        kind="kyc_decision",
        context={
            "decision": submission.status,
            "reason": submission.rejection_reason,
            "tier": LimitTier.VERIFIED.label if approved else "",
            "summary": "Your identity is verified." if approved else "Your identity document was not accepted.",
        },
    )
    webhook_event_emit(
        user=submission.user,
        event_type="kyc.decided",
        key=f"kyc.decided:{submission.pk}",
        data={
            "submission_id": str(submission.pk),
            "decision": submission.status,
            "reason": submission.rejection_reason,
        },
    )


def kyc_document_read(*, submission: KycSubmission, viewer) -> tuple[bytes, str]:
    """Decrypt the submission's document for `viewer`: (plaintext, content type). Every attempt is audited.

    The caller checks the viewer's permission. Raises KycDocumentUnreadable (tampered or missing
    ciphertext; audited with outcome "unreadable"), KycKeyUnknown.
    """
    document = KycDocument.objects.get(submission=submission)
    try:
        with default_storage.open(document.storage_name, "rb") as stored:
            ciphertext = stored.read()
    except FileNotFoundError:
        ciphertext = b""
    sealed = SealedDocument(ciphertext=ciphertext, wrapped_key=bytes(document.wrapped_key), key_id=document.key_id)
    try:
        plaintext = document_open(sealed=sealed, submission_id=submission.pk)
    except KycDocumentUnreadable as exc:
        _document_view_audit(submission=submission, viewer=viewer, outcome="unreadable", part=exc.details.get("part"))
        raise
    _document_view_audit(submission=submission, viewer=viewer, outcome="shown")
    return plaintext, document.content_type


@transaction.atomic
def _document_view_audit(*, submission: KycSubmission, viewer, outcome: str, part: str | None = None) -> None:
    values = {"outcome": outcome} | ({"failed_part": part} if part else {})
    audit_record(event_type=AuditEventType.KYC_DOCUMENT_VIEWED, actor=viewer, target=submission, new_values=values)


def kyc_documents_on_old_keys(*, batch_size: int = 500):
    """Ids of documents whose data key is wrapped by another master key than the current one, in batches."""
    current, last_id = current_key_id(), 0
    while True:
        batch = list(
            KycDocument.objects.filter(pk__gt=last_id)
            .exclude(key_id=current)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last_id = batch[-1]


@transaction.atomic
def kyc_document_rewrap(*, document_id: int) -> bool:
    """Re-wrap one document's data key under the current master key; False if already done.

    Raises KycKeyUnknown (its old key is no longer configured), KycDocumentUnreadable.
    """
    document = KycDocument.objects.select_for_update().get(pk=document_id)
    if document.key_id == current_key_id():
        return False
    wrapped_key, key_id = data_key_rewrap(
        wrapped_key=bytes(document.wrapped_key), key_id=document.key_id, submission_id=document.submission_id
    )
    KycDocument.objects.filter(pk=document.pk).update(wrapped_key=wrapped_key, key_id=key_id)
    return True
