"""Password reset (by emailed code) and change; either signs out every other session.

After either, access tokens issued before are refused too (the user's auth_version is bumped, see
accounts.authentication), not only refresh tokens.
"""

import uuid

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import AccountCodeInvalid, PasswordInvalid
from accounts.models import AccountCode, AccountCodePurpose, User
from accounts.services.account_codes import account_code_issue, account_code_redeem
from accounts.services.sessions import sessions_revoke_others
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import ServiceUnavailable, ValidationFailed


def password_validate_new(*, user: User, password: str) -> None:
    """Raises ValidationFailed (400) for a password Django's validators refuse."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed("The password is too weak.", details={"fields": {"new_password": exc.messages}}) from exc


def password_reset_request(*, email: str, ip_hash: str) -> None:
    """Ask for a reset code for `email`. The lookup runs in a task, so the request does the same work,
    in the same time, whether or not an account has this address (no enumeration by timing)."""
    from accounts.tasks import start_password_reset  # tasks import the models; keep the import graph acyclic

    try:
        start_password_reset.delay(User.objects.normalize_email(email), ip_hash)
    except Exception as exc:  # the broker is unreachable: nothing was asked, say so
        raise ServiceUnavailable("Password reset is unavailable right now; retry shortly.") from exc


@transaction.atomic
def password_reset_issue(*, email: str, ip_hash: str) -> None:
    """Email a reset code if an active account has this address (run by the task above)."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    account_code_issue(user=user, purpose=AccountCodePurpose.RESET_PASSWORD, email=user.email)
    audit_record(event_type=AuditEventType.PASSWORD_RESET_REQUESTED, actor=None, target=user, ip_hash=ip_hash)


def password_reset_confirm(*, email: str, code: str, new_password: str) -> None:
    """Set a new password with the emailed code and revoke every session.

    Raises AccountCodeInvalid (also for an unknown address), ValidationFailed (weak password).
    """
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        raise AccountCodeInvalid()
    password_validate_new(user=user, password=new_password)

    def apply(row: AccountCode) -> None:
        # The code reached the inbox: that proves the address as well as a verification code would.
        if user.email_verified_at is None and row.email == user.email:
            user.email_verified_at = timezone.now()
        _password_set(user=user, password=new_password, keep_session=None, event_type=AuditEventType.PASSWORD_RESET)

    account_code_redeem(user=user, purpose=AccountCodePurpose.RESET_PASSWORD, code=code, apply=apply)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, current_session: uuid.UUID | None) -> None:
    """Replace the password; every session but the caller's is revoked. Raises PasswordInvalid, ValidationFailed."""
    if not user.check_password(old_password):
        raise PasswordInvalid()
    password_validate_new(user=user, password=new_password)
    _password_set(
        user=user, password=new_password, keep_session=current_session, event_type=AuditEventType.PASSWORD_CHANGED
    )


@transaction.atomic(savepoint=False)
def _password_set(*, user: User, password: str, keep_session: uuid.UUID | None, event_type: AuditEventType) -> None:
    user.set_password(password)
    user.save(update_fields=["password", "email_verified_at"])
    revoked = sessions_revoke_others(user=user, keep=keep_session, reason=event_type.value)
    audit_record(event_type=event_type, actor=user, target=user, new_values={"sessions_revoked": revoked})
