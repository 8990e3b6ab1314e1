from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from kyc.models import KycDocument, KycStatus, KycSubmission


def kyc_latest_submission(*, user) -> KycSubmission | None:
    """The user's most recent submission, or None if they never submitted."""
    return KycSubmission.objects.filter(user=user).order_by("-created_at").first()


def kyc_pending_count() -> int:
    return KycSubmission.objects.filter(status=KycStatus.PENDING).count()


def kyc_submissions_pending_first() -> QuerySet[KycSubmission]:
    """The review queue: pending ones first (oldest first, as they wait longest), then the rest newest first."""
    pending = When(status=KycStatus.PENDING, then=Value(0))
    return KycSubmission.objects.annotate(
        pending_rank=Case(pending, default=Value(1), output_field=IntegerField()),
        # Only pending rows carry this key, so it orders them oldest first and leaves the rest to -created_at.
        pending_since=Case(When(status=KycStatus.PENDING, then=F("created_at"))),
    ).order_by("pending_rank", F("pending_since").asc(nulls_last=True), "-created_at")


def kyc_document_with_fingerprint_of_other_user(*, fingerprint: str, user) -> KycDocument | None:
    return (
        KycDocument.objects.filter(fingerprint=fingerprint)
        .exclude(submission__user=user)
        .select_related("submission")
        .first()
    )
