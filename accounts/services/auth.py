"""Signing in (password, then the second factor when it is on), and the login facts for the audit log."""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import LoginFailed, MfaRequired, MfaTokenInvalid
from accounts.models import KnownIp, MfaChallenge, User
from accounts.pin import token_hash, token_new
from accounts.services.ip_trust import ip_record_login
from accounts.services.sessions import TokenPair, session_start
from accounts.services.two_factor import two_factor_verify
from audit.models import AuditEventType
from audit.services import audit_record

MFA_CHALLENGE_TTL = timedelta(minutes=5)


def auth_password_login(*, email: str, password: str, ip: str, user_agent: str) -> TokenPair:
    """Check the password and open a session. Raises LoginFailed, MfaRequired (with `details.mfa_token`).

    The caller counts a LoginFailed toward the login throttle (accounts.login_throttle).
    """
    user = authenticate(None, username=email, password=password)
    if user is None:  # wrong password, unknown address or inactive account: the same answer
        auth_login_failed(email=email)
        raise LoginFailed()
    if user.two_factor_enabled:
        raise MfaRequired(details={"mfa_token": mfa_challenge_start(user=user)})
    auth_login_succeeded(user=user, ip=ip)
    return session_start(user=user, user_agent=user_agent, ip=ip)


@transaction.atomic
def mfa_challenge_start(*, user: User) -> str:
    """The password step passed: a short-lived, single-use token for the second step. Only its hash is stored."""
    token = token_new()
    MfaChallenge.objects.create(user=user, token_hash=token_hash(token), expires_at=timezone.now() + MFA_CHALLENGE_TTL)
    return token


def auth_mfa_login(*, mfa_token: str, code: str, ip: str, user_agent: str) -> TokenPair:
    """Second step: a TOTP or a recovery code redeems the challenge once.

    Raises MfaTokenInvalid, OtpInvalid, OtpLocked (wrong codes count toward the two-factor lockout).
    """
    challenge = (
        MfaChallenge.objects.select_related("user")
        .filter(token_hash=token_hash(mfa_token or ""), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if challenge is None or not challenge.user.is_active:
        raise MfaTokenInvalid()
    user = challenge.user
    two_factor_verify(user=user, code=code, allow_recovery=True)
    # A wrong code leaves the challenge usable until it expires; a right one redeems it, once.
    if not MfaChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise MfaTokenInvalid()
    auth_login_succeeded(user=user, ip=ip)
    return session_start(user=user, user_agent=user_agent, ip=ip)


@transaction.atomic
def auth_login_succeeded(*, user: User, ip: str, channel: str = "api") -> KnownIp:
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    known = ip_record_login(user=user, ip=ip)
    audit_record(
        event_type=AuditEventType.LOGIN_SUCCEEDED,
        actor=user,
        target=user,
        new_values={"ip_status": known.status, "channel": channel},
    )
    return known


@transaction.atomic
def auth_login_failed(*, email: str, channel: str = "api") -> None:
    # The target is the account tried, when it exists; the email itself is not kept (it may be a typo
    # of someone else's address, or a list being sprayed).
    user = User.objects.filter(email=User.objects.normalize_email(email)).first()
    audit_record(event_type=AuditEventType.LOGIN_FAILED, target=user, new_values={"channel": channel})
