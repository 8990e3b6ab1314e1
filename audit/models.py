from django.conf import settings
from django.db import models


class AuditEventType(models.TextChoices):
    USER_SIGNED_UP = "user.signed_up", "User signed up"
    WALLET_CREATED = "wallet.created", "Wallet created"
    WALLET_CLOSED = "wallet.closed", "Wallet closed"
    WALLET_FROZEN = "wallet.frozen", "Wallet frozen"
    WALLET_UNFROZEN = "wallet.unfrozen", "Wallet unfrozen"
    MONEY_POSTED = "money.posted", "Money posted"
    # KYC and spending limits
    KYC_SUBMITTED = "kyc.submitted", "KYC submitted"
    KYC_APPROVED = "kyc.approved", "KYC approved"
    KYC_REJECTED = "kyc.rejected", "KYC rejected"
    KYC_DOCUMENT_VIEWED = "kyc.document_viewed", "KYC document viewed"
    KYC_DUPLICATE_FLAGGED = "kyc.duplicate_flagged", "KYC duplicate document flagged"
    WALLET_LIMIT_TIER_CHANGED = "wallet.limit_tier_changed", "Wallet limit tier changed"
    # Disputes and reversals
    DISPUTE_OPENED = "dispute.opened", "Dispute opened"
    DISPUTE_TAKEN = "dispute.taken", "Dispute taken for review"
    DISPUTE_REJECTED = "dispute.rejected", "Dispute rejected"
    DISPUTE_REVERSED = "dispute.reversed", "Dispute resolved with a reversal"
    DISPUTE_EVIDENCE_VIEWED = "dispute.evidence_viewed", "Dispute evidence viewed"
    REVERSAL_SHORTFALL_COVERED = "reversal.shortfall_covered", "Reversal shortfall covered from @suspense"
    EMAIL_RESENT = "email.resent", "Email resent"


class AuditEvent(models.Model):
    """One privileged or money-relevant fact. Rows are only ever inserted."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event_type = models.CharField(max_length=64, choices=AuditEventType.choices, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.target_type}:{self.target_id}"
