import re

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts.exceptions import PinFormatInvalid
from accounts.models import KnownIpStatus
from vaultpay.api_fields import StrictCharField

# A PIN as the API takes it. How weak a PIN may be (1234, 0000) is a rule the schema cannot state:
# the services answer pin_too_weak for a new one.
PIN_PATTERN = r"^[0-9]{4,6}$"
_PIN_RE = re.compile(r"[0-9]{4,6}\Z", re.ASCII)


@extend_schema_field({"type": "string", "pattern": PIN_PATTERN, "example": "4826"})
class PinField(serializers.Field):
    """4 to 6 ASCII digits, or 400 `pin_format_invalid`: a malformed PIN is no guess, so it never
    counts as a wrong try."""

    def __init__(self, **kwargs):
        kwargs.setdefault("write_only", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _PIN_RE.match(data):
            raise PinFormatInvalid()
        return data

    def to_representation(self, value):
        return value


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Carol",
            value={
                "first_name": "Carol",
                "last_name": "Ng",
                "email": "carol@example.com",
                "password": "a-long-passphrase",
            },
            request_only=True,
        )
    ]
)
class SignupInputSerializer(serializers.Serializer):
    first_name = StrictCharField(max_length=150)
    last_name = StrictCharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(
        min_length=8,
        max_length=128,
        write_only=True,
        trim_whitespace=False,
        help_text="At least 8 characters; Django's password validators also refuse common or all-digit ones.",
    )


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_joined = serializers.DateTimeField()
    email_verified = serializers.SerializerMethodField(help_text="Withdrawals and transfers need a verified email.")
    two_factor_enabled = serializers.BooleanField()

    def get_email_verified(self, user) -> bool:
        return user.email_verified_at is not None


class StrictCharField(serializers.CharField):
    """A CharField that refuses JSON numbers and booleans instead of turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ProfileUpdateInputSerializer(serializers.Serializer):
    first_name = StrictCharField(max_length=150, required=False)
    last_name = StrictCharField(max_length=150, required=False)
    email = serializers.EmailField(
        max_length=254, required=False, help_text="A new address becomes the login once its emailed code is verified."
    )


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


# The shape of a JWT (header.payload.signature, base64url); whether it is one we issued is the server's to say.
JWT_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.RegexField(JWT_PATTERN, max_length=4096, help_text="A refresh token from POST /auth/token.")


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()
    read = serializers.SerializerMethodField()
    read_at = serializers.DateTimeField(allow_null=True, help_text="Null while unread.")
    created_at = serializers.DateTimeField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadCountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)


class NotificationReadAllOutputSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class TokenObtainInputSerializer(TokenObtainPairSerializer):
    """simplejwt's login, reading the password exactly as sent (as LoginInputSerializer documents it):
    simplejwt's own field trims it, so "   " would be refused as blank instead of as a wrong password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"] = StrictCharField(write_only=True, trim_whitespace=False)


class LoginInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = StrictCharField(write_only=True, trim_whitespace=False)


class PinSetInputSerializer(serializers.Serializer):
    pin = PinField(help_text="4 to 6 digits; not trivially weak (1234, 0000 are refused).")


class PinChangeInputSerializer(serializers.Serializer):
    current_pin = PinField()
    new_pin = PinField(help_text="4 to 6 digits; not trivially weak.")


class PinResetConfirmInputSerializer(serializers.Serializer):
    token = StrictCharField(max_length=128, write_only=True, help_text="The code from the reset email.")
    new_pin = PinField(help_text="4 to 6 digits; not trivially weak.")


class IpConfirmInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128, write_only=True, help_text="The token from the emailed link.")


class PinResetOutputSerializer(serializers.Serializer):
    expires_at = serializers.DateTimeField(help_text="When the emailed code stops working.")


class KnownIpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.SerializerMethodField(help_text="trusted, pending (not yet usable for money) or revoked.")
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()
    trusted_from = serializers.SerializerMethodField(help_text="When money may move from it (pending addresses).")
    confirmed_at = serializers.DateTimeField(allow_null=True)

    def get_status(self, known) -> str:
        # A pending address whose hold has run out is as good as trusted.
        if known.status == KnownIpStatus.PENDING and known.hold_until and known.hold_until <= self.context["now"]:
            return KnownIpStatus.TRUSTED.value
        return known.status

    def get_trusted_from(self, known) -> str | None:
        return known.hold_until.isoformat() if known.status == KnownIpStatus.PENDING and known.hold_until else None


class SecurityEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event_type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    request_id = serializers.CharField()
    details = serializers.DictField(source="new_values")


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    code = serializers.CharField(max_length=16, write_only=True, help_text="The six digits from the reset email.")
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class CodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, write_only=True)


class MfaLoginInputSerializer(serializers.Serializer):
    mfa_token = serializers.CharField(max_length=128, write_only=True, help_text="`details.mfa_token` of the 401.")
    code = serializers.CharField(max_length=32, write_only=True, help_text="A TOTP code or a recovery code.")


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    user_agent = serializers.CharField()
    ip_hash = serializers.CharField(help_text="Keyed hash of the IP it was last used from; the IP is never stored.")
    current = serializers.SerializerMethodField(help_text="The session of the access token of this request.")

    def get_current(self, session) -> bool:
        return str(session.pk) == self.context.get("current_session_id")


class TwoFactorSetupOutputSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32 TOTP secret for an authenticator app.")
    otpauth_uri = serializers.CharField(help_text="The same secret as an otpauth:// URI.")
    qr_code = serializers.CharField(help_text="That URI as a QR code to scan: an SVG image as a data: URI.")


class RecoveryCodesOutputSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="Ten single-use codes, shown this once; only their hashes are kept."
    )
