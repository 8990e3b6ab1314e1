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
