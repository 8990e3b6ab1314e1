"""KYC submissions and their encrypted documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class DocumentType(models.TextChoices):
    PASSPORT = "passport", "Passport"
    NATIONAL_ID = "national_id", "National ID card"
    DRIVING_LICENCE = "driving_licence", "Driving licence"


class KycStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class KycSubmission(models.Model):
    """One identity check a user asked for. A rejected user may submit again; nobody holds two open ones."""

    # A UUID known before the row is written: it is bound into the document's ciphertext as associated data.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="kyc_submissions")
    document_type = models.CharField(max_length=16, choices=DocumentType.choices)
    document_number = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=KycStatus.choices, default=KycStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "KYC submission"
        permissions = [("review_kycsubmission", "Can approve or reject KYC submissions")]
        constraints = [
            # At most one submission per user that is pending or approved: the API's "one at a time"
            # rule, held by the database against two concurrent uploads.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "approved"]),
                name="kyc_one_open_submission_per_user",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="kyc_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="kyc_status_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} of {self.user} ({self.status})"


class KycDocument(models.Model):
    """Where a submission's encrypted file is and how to decrypt it.

    The file holds nonce || AES-256-GCM(data key, plaintext, aad=submission id). The data key is
    stored here only wrapped (AES-256-GCM) by the master key named `key_id`. Viewing the plaintext
    needs the `kyc.view_kycdocument` permission.
    """

    submission = models.OneToOneField(KycSubmission, on_delete=models.PROTECT, related_name="document")
    storage_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField(help_text="Plaintext size in bytes.")
    key_id = models.CharField(max_length=64, db_index=True)
    wrapped_key = models.BinaryField(help_text="nonce || AES-256-GCM(master key, data key).")
    fingerprint = models.CharField(max_length=64, db_index=True, help_text="HMAC-SHA256 of the plaintext, hex.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "KYC document"

    def __str__(self) -> str:
        return f"document of {self.submission_id}"


class KycDuplicateAttempt(models.Model):
    """A user uploaded a document already on file for someone else: refused, and kept for moderators."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    matched_submission = models.ForeignKey(KycSubmission, on_delete=models.PROTECT, related_name="duplicate_attempts")
    document_type = models.CharField(max_length=16, choices=DocumentType.choices)
    document_number = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "KYC duplicate attempt"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} reused the document of {self.matched_submission_id}"
