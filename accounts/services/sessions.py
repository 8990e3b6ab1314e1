"""Sessions: each refresh-token family is one signed-in device (accounts.models.AuthSession).

A family holds exactly one usable refresh token, `refresh_jti`. Rotation swaps it with one
conditional UPDATE, so of N concurrent refreshes with the same token exactly one wins: the row lock
makes the others re-read the row, find the token already rotated and fail. Presenting a rotated
token is how a stolen copy shows itself (OAuth 2.0 Security BCP, refresh-token reuse detection):
the whole family is revoked, the thief's copy and the owner's alike.

Tokens carry `sid` (the family) and `av` (the user's auth_version when issued); access tokens from
before an auth_version bump are refused by accounts.authentication.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.client_ip import ip_hash
from accounts.exceptions import RefreshTokenInvalid, SessionNotFound
from accounts.models import AuthSession, User
from accounts.token_claims import AUTH_VERSION_CLAIM, SESSION_CLAIM
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import ValidationFailed


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session_id: uuid.UUID


def _token_pair(*, user: User, session_id: uuid.UUID) -> tuple[RefreshToken, TokenPair]:
    refresh = RefreshToken.for_user(user)
    refresh[SESSION_CLAIM] = str(session_id)
    refresh[AUTH_VERSION_CLAIM] = user.auth_version
    return refresh, TokenPair(access=str(refresh.access_token), refresh=str(refresh), session_id=session_id)


def access_token_for(user: User) -> str:
    """An access token carrying the claims every login's does (for tools that act as a signed-in user,
    such as the benchmarks); it belongs to no session, so it cannot be refreshed."""
    token = AccessToken.for_user(user)
    token[AUTH_VERSION_CLAIM] = user.auth_version
    return str(token)


def session_start(*, user: User, user_agent: str, ip: str) -> TokenPair:
    """Open a new family for a user who has just proved who they are; returns its first token pair."""
    session_id = uuid.uuid4()
    refresh, pair = _token_pair(user=user, session_id=session_id)
    AuthSession.objects.create(
        id=session_id,
        user=user,
        refresh_jti=refresh["jti"],
        last_used_at=timezone.now(),
        user_agent=user_agent[:256],
        ip_hash=ip_hash(ip),
    )
    return pair


def _refresh_claims(raw: str) -> tuple[str, str, str]:
    try:
        token = RefreshToken(raw)
    except TokenError as exc:  # bad signature, expired, not a refresh token
        raise RefreshTokenInvalid(details={"reason": str(exc)}) from exc
    session_id, jti, user_id = token.get(SESSION_CLAIM), token.get("jti"), token.get("user_id")
    if not (session_id and jti and user_id):
        raise RefreshTokenInvalid()
    return session_id, jti, user_id


def session_rotate(*, refresh: str, user_agent: str, ip: str) -> TokenPair:
    """Trade a refresh token for a new pair, once. Raises RefreshTokenInvalid.

    A token that is not its family's current one revokes the family (REFRESH_TOKEN_REUSED).
    """
    session_id, jti, user_id = _refresh_claims(refresh)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise RefreshTokenInvalid()
    new_refresh, pair = _token_pair(user=user, session_id=uuid.UUID(session_id))
    rotated = AuthSession.objects.filter(
        pk=session_id, user=user, refresh_jti=jti, revoked_at__isnull=True, last_used_at__gt=_expired_before()
    ).update(
        refresh_jti=new_refresh["jti"], last_used_at=timezone.now(), user_agent=user_agent[:256], ip_hash=ip_hash(ip)
    )
    if rotated == 1:
        return pair
    _session_revoke_reused(session_id=session_id, jti=jti)
    raise RefreshTokenInvalid()


@transaction.atomic
def _session_revoke_reused(*, session_id: str, jti: str) -> None:
    session = AuthSession.objects.select_for_update(of=("self",)).select_related("user").filter(pk=session_id).first()
    if session is None or session.revoked_at is not None or session.refresh_jti == jti:
        return  # unknown, already revoked, or simply expired: nothing was reused
    session.revoked_at = timezone.now()
    session.revoked_reason = "refresh_reused"
    session.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        event_type=AuditEventType.REFRESH_TOKEN_REUSED,
        actor=None,
        target=session.user,
        new_values={"session": str(session.pk)},
    )


def _expired_before():
    # A family whose current refresh token has expired is over, whatever its row says.
    return timezone.now() - settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def sessions_active(*, user: User) -> QuerySet[AuthSession]:
    return AuthSession.objects.filter(user=user, revoked_at__isnull=True, last_used_at__gt=_expired_before()).order_by(
        "-last_used_at"
    )


@transaction.atomic
def session_revoke(
    *,
    user: User,
    session_id: uuid.UUID | str,
    reason: str = "revoked",
    event_type: AuditEventType = AuditEventType.SESSION_REVOKED,
) -> AuthSession:
    """End one of the caller's sessions: its refresh token stops working. Raises SessionNotFound."""
    session = AuthSession.objects.select_for_update().filter(user=user, pk=session_id, revoked_at__isnull=True).first()
    if session is None:
        raise SessionNotFound()
    session.revoked_at = timezone.now()
    session.revoked_reason = reason
    session.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        event_type=event_type,
        actor=user,
        target=user,
        new_values={"session": str(session.pk), "reason": reason},
    )
    return session


def session_revoke_by_refresh(*, user: User, refresh: str) -> AuthSession:
    """Log out: end the session a refresh token belongs to, if it is the caller's.

    Raises ValidationFailed (not a refresh token), SessionNotFound (someone else's, or already ended).
    """
    try:
        session_id, _jti, user_id = _refresh_claims(refresh)
    except RefreshTokenInvalid as exc:
        raise ValidationFailed("The refresh token is not valid.", details=exc.details) from exc
    if str(user_id) != str(user.pk):
        raise SessionNotFound()
    return session_revoke(user=user, session_id=session_id, reason="logout", event_type=AuditEventType.LOGGED_OUT)


@transaction.atomic(savepoint=False)
def sessions_revoke_others(*, user: User, keep: uuid.UUID | str | None, reason: str) -> int:
    """Revoke every session of the user but `keep`, and refuse every access token issued so far.

    Runs inside the caller's transaction (password change, reset, logout everywhere); the caller audits.
    """
    others = AuthSession.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        others = others.exclude(pk=keep)
    revoked = others.update(revoked_at=timezone.now(), revoked_reason=reason)
    User.objects.filter(pk=user.pk).update(auth_version=F("auth_version") + 1)
    user.refresh_from_db(fields=["auth_version"])
    return revoked


@transaction.atomic
def sessions_logout_all(*, user: User) -> int:
    revoked = sessions_revoke_others(user=user, keep=None, reason="logout_all")
    audit_record(
        event_type=AuditEventType.SESSIONS_REVOKED_ALL, actor=user, target=user, new_values={"sessions": revoked}
    )
    return revoked
