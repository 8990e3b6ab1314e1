from django.conf import settings
from django.db import models


class AuditEventType(models.TextChoices):
    USER_SIGNED_UP = "user.signed_up", "User signed up"
    LOGIN_SUCCEEDED = "auth.login_succeeded", "Login succeeded"
    LOGIN_FAILED = "auth.login_failed", "Login failed"
    LOGGED_OUT = "auth.logged_out", "Logged out"
    ROLE_CHANGED = "user.role_changed", "Role changed"
    PIN_SET = "pin.set", "PIN set"
    PIN_CHANGED = "pin.changed", "PIN changed"
    PIN_FAILED = "pin.failed", "Wrong PIN"
    PIN_LOCKED = "pin.locked", "PIN locked"
    PIN_RESET_REQUESTED = "pin.reset_requested", "PIN reset requested"
    PIN_RESET = "pin.reset", "PIN reset"
    IP_NEW = "ip.new", "New IP address"
    IP_CONFIRMED = "ip.confirmed", "IP address confirmed"
    IP_REVOKED = "ip.revoked", "IP address revoked"
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
    WALLET_PERSONAL_LIMIT_SET = "wallet.personal_limit_set", "Personal spending limit set"
    # Disputes and reversals
    DISPUTE_OPENED = "dispute.opened", "Dispute opened"
    DISPUTE_TAKEN = "dispute.taken", "Dispute taken for review"
    DISPUTE_REJECTED = "dispute.rejected", "Dispute rejected"
    DISPUTE_REVERSED = "dispute.reversed", "Dispute resolved with a reversal"
    DISPUTE_EVIDENCE_VIEWED = "dispute.evidence_viewed", "Dispute evidence viewed"
    DISPUTE_REVERSAL_PROPOSED = "dispute.reversal_proposed", "Dispute reversal proposed (awaits a second moderator)"
    # A moderator tried to decide a case of their own (their KYC, a dispute they are party to or
    # opened) or to approve a reversal they proposed themselves: refused, and kept on record.
    MODERATION_OWN_CASE_REFUSED = "moderation.own_case_refused", "Moderation of an own case refused"
    REVERSAL_SHORTFALL_COVERED = "reversal.shortfall_covered", "Reversal shortfall covered from @suspense"
    EMAIL_RESENT = "email.resent", "Email resent"
    # The console's account and limit controls
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    USER_REACTIVATED = "user.reactivated", "User reactivated"
    WALLET_LIMIT_OVERRIDDEN = "wallet.limit_overridden", "Wallet limit overridden"
    WALLET_LIMIT_OVERRIDE_CLEARED = "wallet.limit_override_cleared", "Wallet limit override cleared"
    CONSOLE_SETTING_CHANGED = "console.setting_changed", "Console setting changed"
    # Account lifecycle: passwords, email, sessions, two-factor
    PASSWORD_RESET_REQUESTED = "password.reset_requested", "Password reset requested"
    PASSWORD_RESET = "password.reset", "Password reset"
    PASSWORD_CHANGED = "password.changed", "Password changed"
    ACCOUNT_CODE_FAILED = "account_code.failed", "Wrong emailed code"
    EMAIL_VERIFICATION_SENT = "email.verification_sent", "Email verification code sent"
    EMAIL_VERIFIED = "email.verified", "Email address verified"
    PROFILE_UPDATED = "user.profile_updated", "Profile updated"
    SESSION_REVOKED = "session.revoked", "Session revoked"
    SESSIONS_REVOKED_ALL = "session.revoked_all", "Every session revoked"
    REFRESH_TOKEN_REUSED = "session.refresh_reused", "Rotated refresh token reused: session revoked"
    # Webhook endpoints
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created", "Webhook endpoint created"
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted", "Webhook endpoint deleted"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "Webhook signing secret rotated"
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled", "Webhook endpoint disabled after repeated failures"
    TWO_FACTOR_SETUP_STARTED = "2fa.setup_started", "Two-factor setup started"
    TWO_FACTOR_ENABLED = "2fa.enabled", "Two-factor enabled"
    TWO_FACTOR_DISABLED = "2fa.disabled", "Two-factor disabled"
    TWO_FACTOR_FAILED = "2fa.failed", "Wrong two-factor code"
    TWO_FACTOR_LOCKED = "2fa.locked", "Two-factor locked"
    RECOVERY_CODE_USED = "2fa.recovery_code_used", "Recovery code used"
    ADMIN_LOGIN_HELD = "auth.admin_login_held", "Console login held: unseen IP address"
    # Holds and refunds (their postings are money.posted events too)
    HOLD_AUTHORIZED = "hold.authorized", "Hold authorized"
    HOLD_CAPTURED = "hold.captured", "Hold captured"
    HOLD_VOIDED = "hold.voided", "Hold voided"
    HOLD_EXPIRED = "hold.expired", "Hold expired"
    REFUND_POSTED = "refund.posted", "Refund posted"


# What a user sees of their own trail at GET /api/v1/security/events.
SECURITY_EVENT_TYPES = frozenset(
    {
        AuditEventType.USER_SIGNED_UP,
        AuditEventType.LOGIN_SUCCEEDED,
        AuditEventType.LOGIN_FAILED,
        AuditEventType.LOGGED_OUT,
        AuditEventType.ROLE_CHANGED,
        AuditEventType.PIN_SET,
        AuditEventType.PIN_CHANGED,
        AuditEventType.PIN_FAILED,
        AuditEventType.PIN_LOCKED,
        AuditEventType.PIN_RESET_REQUESTED,
        AuditEventType.PIN_RESET,
        AuditEventType.IP_NEW,
        AuditEventType.IP_CONFIRMED,
        AuditEventType.IP_REVOKED,
        AuditEventType.PASSWORD_RESET_REQUESTED,
        AuditEventType.PASSWORD_RESET,
        AuditEventType.PASSWORD_CHANGED,
        AuditEventType.ACCOUNT_CODE_FAILED,
        AuditEventType.EMAIL_VERIFICATION_SENT,
        AuditEventType.EMAIL_VERIFIED,
        AuditEventType.PROFILE_UPDATED,
        AuditEventType.SESSION_REVOKED,
        AuditEventType.SESSIONS_REVOKED_ALL,
        AuditEventType.REFRESH_TOKEN_REUSED,
        AuditEventType.TWO_FACTOR_SETUP_STARTED,
        AuditEventType.TWO_FACTOR_ENABLED,
        AuditEventType.TWO_FACTOR_DISABLED,
        AuditEventType.TWO_FACTOR_FAILED,
        AuditEventType.TWO_FACTOR_LOCKED,
        AuditEventType.RECOVERY_CODE_USED,
        AuditEventType.ADMIN_LOGIN_HELD,
    }
)

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One privileged or money-relevant fact. Rows are only ever inserted, without any shared lock.

    Tamper-evident once sealed: the sequencer (audit.sealing) links every event into a keyed hash
    chain (AuditSeal) within a bounded lag, so `manage.py verify_audit` catches an edited, removed,
    reordered or forged event.
    """

    occurred_at = models.DateTimeField(db_index=True)
    event_type = models.CharField(max_length=64, choices=AuditEventType.choices, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    # The actor's role when it acted: a later role change must not rewrite history.
    actor_role = models.CharField(max_length=16, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, help_text="Keyed hash of the client IP, never the IP.")
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.target_type}:{self.target_id}"


class AuditSeal(models.Model):
    """One event's link in the audit chain, appended by the sequencer in the order it sealed them.

    `hash` is HMAC-SHA256 under AUDIT_CHAIN_KEY over the previous link's hash, this link's position
    and the event's canonical content: without the key, nobody can recompute a chain that verifies.
    Positions are contiguous from 1, so a link cut out leaves a gap.
    """

    seq = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="seal")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_id}"


class AuditCheckpoint(models.Model):
    """The chain's head as the sequencer left it, signed: cutting the newest links shows against it."""

    seq = models.BigIntegerField(help_text="The last link sealed.")
    hash = models.CharField(max_length=64, help_text="That link's hash.")
    created_at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["-id"], name="audit_checkpoint_newest_idx")]

    def __str__(self) -> str:
        return f"head #{self.seq} at {self.created_at:%Y-%m-%d %H:%M:%S}"
