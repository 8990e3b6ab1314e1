"""Email verification and profile changes: an address becomes the login only once its code is sent back."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.exceptions import EmailAlreadyVerified, EmailTaken
from accounts.models import AccountCode, AccountCodePurpose, User
from accounts.services.account_codes import account_code_issue, account_code_redeem
from audit.models import AuditEventType
from audit.services import audit_record


@transaction.atomic(savepoint=False)
def email_verification_send(*, user: User, email: str) -> AccountCode:
    """Email a verification code to `email` (the login, or a new address waiting to replace it)."""
    code = account_code_issue(user=user, purpose=AccountCodePurpose.VERIFY_EMAIL, email=email)
    audit_record(
        event_type=AuditEventType.EMAIL_VERIFICATION_SENT,
        actor=user,
        target=user,
        new_values={"new_address": email != user.email},
    )
    return code


def _pending_address(user: User) -> str | None:
    """The address waiting for verification: a new one asked for, or the login itself while unverified."""
    latest = (
        AccountCode.objects.filter(user=user, purpose=AccountCodePurpose.VERIFY_EMAIL)
        .order_by("-created_at")
        .values_list("email", flat=True)
        .first()
    )
    if latest and latest != user.email:
        return latest
    return user.email if user.email_verified_at is None else None


@transaction.atomic
def email_verification_resend(*, user: User) -> AccountCode:
    """A new code for the address waiting for verification. Raises EmailAlreadyVerified."""
    pending = _pending_address(user)
    if pending is None:
        raise EmailAlreadyVerified()
    return email_verification_send(user=user, email=pending)


def email_verify(*, user: User, code: str) -> User:
    """Verify the address the code was sent to; a new address becomes the login.

    Raises AccountCodeInvalid, EmailTaken (the new address was taken meanwhile).
    """

    def apply(row: AccountCode) -> None:
        old_email = user.email
        user.email = row.email
        user.email_verified_at = timezone.now()
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "email_verified_at"])
        except IntegrityError as exc:
            raise EmailTaken() from exc
        audit_record(
            event_type=AuditEventType.EMAIL_VERIFIED,
            actor=user,
            target=user,
            old_values={"email": old_email} if old_email != row.email else None,
            new_values={"email": row.email} if old_email != row.email else None,
        )

    account_code_redeem(user=user, purpose=AccountCodePurpose.VERIFY_EMAIL, code=code, apply=apply)
    return user


@transaction.atomic
def user_profile_update(
    *, user: User, first_name: str | None = None, last_name: str | None = None, email: str | None = None
) -> User:
    """Change the caller's names at once; a new email address only once verified. Raises EmailTaken."""
    old = {"first_name": user.first_name, "last_name": user.last_name}
    if first_name is not None:
        user.first_name = first_name
    if last_name is not None:
        user.last_name = last_name
    user.save(update_fields=["first_name", "last_name"])
    new = {"first_name": user.first_name, "last_name": user.last_name}
    email = User.objects.normalize_email(email) if email is not None else None
    if email and email != user.email:
        if User.objects.filter(email=email).exists():
            raise EmailTaken()
        email_verification_send(user=user, email=email)
        new["pending_email"] = True
    audit_record(event_type=AuditEventType.PROFILE_UPDATED, actor=user, target=user, old_values=old, new_values=new)
    return user
