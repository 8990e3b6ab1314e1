from django.db.models import Case, IntegerField, QuerySet, Value, When

from kyc.models import KycDocument, KycStatus, KycSubmission


def kyc_latest_submission(*, user) -> KycSubmission | None:
    """The user's most recent submission, or None if they never submitted."""
    return KycSubmission.objects.filter(user=user).order_by("-created_at").first()


def kyc_pending_count() -> int:
    return KycSubmission.objects.filter(status=KycStatus.PENDING).count()


def kyc_submissions_pending_first() -> QuerySet[KycSubmission]:
    """The review queue: pending ones first (oldest first, as they wait longest), then the rest newest first."""
    return KycSubmission.objects.annotate(
        pending_rank=Case(When(status=KycStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("pending_rank", "-created_at")


def kyc_document_with_fingerprint_of_other_user(*, fingerprint: str, user) -> KycDocument | None:
    return (
        KycDocument.objects.filter(fingerprint=fingerprint)
        .exclude(submission__user=user)
        .select_related("submission")
        .first()
    )
