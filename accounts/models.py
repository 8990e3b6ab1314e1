import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Email is the login and is unique case-insensitively: store it lower-cased, always.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The role is kept here for the audit trail and the console; its permissions come from the group
    # of the same name. Changed only through accounts.services.user_set_role.
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    # Set by accounts.services.user_deactivate (is_active false); cleared when the user is reactivated.
    deactivation_reason = models.CharField(max_length=500, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Until set, the user may sign in and read but not send money (accounts.services.step_up).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Every token carries the version it was issued under; bumping it (password change or reset,
    # logout everywhere) refuses all earlier access tokens, on the row authentication loads anyway.
    auth_version = models.PositiveIntegerField(default=0)
    # Mirrors a confirmed TwoFactorDevice, so the money path knows without another query.
    two_factor_enabled = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]
        permissions = [
            ("manage_moderators", "Can make users moderators and moderators users"),
            ("manage_admins", "Can make users admins and admins users"),
            ("deactivate_user", "Can deactivate and reactivate users"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """What a counterparty sees: first name and last initial, never the email."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"


class EmailDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EmailDelivery(models.Model):
    """One email for one event and one recipient: the row that makes sending exactly-once.

    A task redelivered by the broker (worker killed, visibility timeout) finds the row already
    `sent` and sends nothing; failures stay visible in the admin with their last error.
    """

    event_key = models.CharField(max_length=128, help_text="What happened, e.g. txn:<uuid>:transfer_sent.")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_deliveries")
    to_address = models.EmailField(help_text="The address at the time the email was queued.")
    template = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=EmailDeliveryStatus.choices, default=EmailDeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "email deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="email_delivery_once_per_event_recipient")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="email_delivery_status_idx")]
        permissions = [("resend_emaildelivery", "Can resend an email")]

    def __str__(self) -> str:
        return f"{self.template} to {self.to_address} ({self.status})"


class Notification(models.Model):
    """An in-app notice for one user; unique per event so a retried task adds nothing twice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=128)
    kind = models.CharField(max_length=64, help_text="Same name as the email template, e.g. transfer_received.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="Ids the client can link to.")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_key"], name="notification_once_per_event")]
        indexes = [models.Index(fields=["user", "read_at", "-id"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class TransactionPin(models.Model):
    """A user's transaction PIN and its lockout state; the row is locked while a PIN is checked.

    The PIN is stored as HMAC-SHA256(pepper, salt || pin): the pepper lives in the environment, never
    in the database, and the lockout (not a slow hash) is what stops guessing.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE)
    pin_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=32)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"PIN of user {self.user_id}"


class PinResetToken(models.Model):
    """A single-use emailed token that sets a new PIN; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pin_reset_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"PIN reset for user {self.user_id}"


class KnownIpStatus(models.TextChoices):
    PENDING = "pending", "Pending confirmation"
    TRUSTED = "trusted", "Trusted"
    REVOKED = "revoked", "Revoked"


class KnownIp(models.Model):
    """An IP a user has logged in from, stored only as a keyed hash."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_ips")
    ip_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=KnownIpStatus.choices)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    # A pending IP may move money from this moment on, even unconfirmed.
    hold_until = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirm_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirm_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["user", "ip_hash"], name="known_ip_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.ip_hash[:12]}… ({self.status})"


class AccountCodePurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Verify an email address"
    RESET_PASSWORD = "reset_password", "Reset the password"


class AccountCode(models.Model):
    """A single-use code emailed to the user (email verification, password reset).

    The code is derived from `nonce` under a server key (accounts.codes): the database never holds
    the code, and the email task is handed only this row's id, so the broker never does either.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_codes")
    purpose = models.CharField(max_length=16, choices=AccountCodePurpose.choices)
    # The address the code was sent to: for a new address, the one that becomes the login once verified.
    email = models.EmailField()
    nonce = models.CharField(max_length=64)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "used_at"], name="account_code_user_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} code for user {self.user_id}"


class AuthSession(models.Model):
    """One refresh-token family: a signed-in device. Only `refresh_jti` may be rotated, once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_sessions")
    refresh_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    user_agent = models.CharField(max_length=256, blank=True)
    ip_hash = models.CharField(max_length=64, help_text="Keyed hash of the IP it was last used from.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="auth_session_user_idx")]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"


class TwoFactorDevice(models.Model):
    """A user's TOTP (RFC 6238) secret, its replay guard and its lockout; locked while a code is checked."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE)
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The newest time step accepted: a code is never accepted twice, nor one older than it.
    last_used_step = models.BigIntegerField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"two-factor device of user {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use two-factor recovery code; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"


class MfaChallenge(models.Model):
    """The password step of a two-factor login, passed; `POST /auth/token/mfa` redeems it once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_challenges")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"MFA challenge for user {self.user_id}"


# Webhooks live in their own module of this app; importing them here registers them with Django.
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402, F401
