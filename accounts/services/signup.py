from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import EmailTaken
from accounts.models import User
from accounts.services.email_verification import email_verification_send
from accounts.services.ip_trust import ip_trust_signup_address
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import ValidationFailed


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    ip: str | None = None,
    email_verified: bool = False,
) -> User:
    """Create a user with an Argon2-hashed password; the signup IP (if given) is trusted.

    A verification code is emailed; `email_verified` (accounts provisioned by the operator, such as
    the demo users) skips that step.

    Raises EmailTaken, ValidationFailed (weak password).
    """
    email = User.objects.normalize_email(email)
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed("The password is too weak.", details={"fields": {"password": exc.messages}}) from exc
    if User.objects.filter(email=email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                first_name=first_name,
                last_name=last_name,
                email_verified_at=timezone.now() if email_verified else None,
            )
    except IntegrityError as exc:  # a concurrent signup with the same email won the race
        raise EmailTaken() from exc
    if ip:
        ip_trust_signup_address(user=user, ip=ip)
    audit_record(event_type=AuditEventType.USER_SIGNED_UP, actor=user, target=user, new_values={"email": email})
    if not email_verified:
        email_verification_send(user=user, email=email)
    return user
