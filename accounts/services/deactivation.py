"""Deactivating a user from the console (admins and up): every session ends, no money moves; reversible.

A deactivated user's access tokens are refused at once (simplejwt rejects inactive users on every
request), so the API, money movement included, answers 401 until an admin reactivates them. Their
API sessions (refresh-token families) are revoked and their console sessions deleted, so
reactivation does not bring an old session back: the user signs in again.
"""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import UserDeactivationForbidden
from accounts.models import User
from accounts.services.sessions import sessions_revoke_others
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import ValidationFailed

DEACTIVATE_PERMISSION = "accounts.deactivate_user"


def _require_deactivate_permission(*, user: User, actor: User) -> None:
    if not (actor.is_active and actor.has_perm(DEACTIVATE_PERMISSION)) or actor.pk == user.pk:
        raise UserDeactivationForbidden(details={"permission": DEACTIVATE_PERMISSION})


def _revoke_sessions(user: User) -> int:
    """Revoke every API session of the user (and every access token) and delete their console
    sessions; returns the count."""
    revoked = sessions_revoke_others(user=user, keep=None, reason="deactivated")
    # Django keeps the user id only inside each session's encoded data: decode the live ones.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            revoked += 1
    return revoked


@transaction.atomic
def user_deactivate(*, user: User, actor: User, reason: str) -> User:
    """Switch the account off with a reason: sessions revoked, sign-in and money movement refused.

    Raises UserDeactivationForbidden (not an admin, or oneself), ValidationFailed (no reason, or
    already inactive).
    """
    _require_deactivate_permission(user=user, actor=actor)
    if not reason.strip():
        raise ValidationFailed("Say why the user is deactivated.", details={"fields": {"reason": ["Required."]}})
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationFailed("The user is already inactive.")
    user.is_active = False
    user.deactivation_reason = reason.strip()
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivation_reason", "deactivated_at"])
    revoked = _revoke_sessions(user)
    audit_record(
        event_type=AuditEventType.USER_DEACTIVATED,
        actor=actor,
        target=user,
        old_values={"is_active": True},
        new_values={"is_active": False, "reason": user.deactivation_reason, "sessions_revoked": revoked},
    )
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User, reason: str) -> User:
    """Let a deactivated user sign in again (with a fresh session). Raises UserDeactivationForbidden,
    ValidationFailed (no reason, or not inactive)."""
    _require_deactivate_permission(user=user, actor=actor)
    if not reason.strip():
        raise ValidationFailed("Say why the user is reactivated.", details={"fields": {"reason": ["Required."]}})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationFailed("The user is already active.")
    old_reason = user.deactivation_reason
    user.is_active = True
    user.deactivation_reason = ""
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivation_reason", "deactivated_at"])
    audit_record(
        event_type=AuditEventType.USER_REACTIVATED,
        actor=actor,
        target=user,
        old_values={"is_active": False, "reason": old_reason},
        new_values={"is_active": True, "reason": reason.strip()},
    )
    return user
