"""IP trust: money moves only from addresses the user has been seen at and had time to object to.

The signup address is trusted. A login from an unseen address records it (as a keyed hash) and emails
a confirmation link to a page whose button confirms it (a POST: a prefetching mail scanner confirms
nothing); until the user confirms or IP_HOLD has passed, money cannot move from it.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.client_ip import ip_hash
from accounts.exceptions import IpConfirmTokenInvalid, IpNotTrusted, KnownIpNotFound
from accounts.models import KnownIp, KnownIpStatus
from accounts.pin import token_hash, token_new
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.task_secrets import task_secret_seal

IP_HOLD = timedelta(minutes=30)
IP_CONFIRM_TTL = timedelta(hours=24)


@transaction.atomic
def ip_trust_signup_address(*, user, ip: str) -> KnownIp:
    now = timezone.now()
    return KnownIp.objects.create(
        user=user, ip_hash=ip_hash(ip), status=KnownIpStatus.TRUSTED, first_seen=now, last_seen=now, confirmed_at=now
    )


@transaction.atomic
def ip_record_login(*, user, ip: str) -> KnownIp:
    """Note a successful login's address; an unseen or revoked one starts the hold and gets an email."""
    hashed = ip_hash(ip)
    known = KnownIp.objects.select_for_update().filter(user=user, ip_hash=hashed).first()
    if known is not None and known.status != KnownIpStatus.REVOKED:
        known.last_seen = timezone.now()
        known.save(update_fields=["last_seen"])
        return known
    return _ip_start_hold(user=user, ip=ip, hashed=hashed, known=known)


def _ip_start_hold(*, user, ip: str, hashed: str, known: KnownIp | None) -> KnownIp:
    from accounts.tasks import NEW_IP_PURPOSE, send_new_ip_email  # tasks import the models: no cycle

    now = timezone.now()
    token = token_new()
    values = {
        "status": KnownIpStatus.PENDING,
        "last_seen": now,
        "hold_until": now + IP_HOLD,
        "confirmed_at": None,
        "confirm_token_hash": token_hash(token),
        "confirm_expires_at": now + IP_CONFIRM_TTL,
    }
    if known is None:
        try:
            with transaction.atomic():
                known = KnownIp.objects.create(user=user, ip_hash=hashed, first_seen=now, **values)
        except IntegrityError:  # a concurrent request from the same address recorded it first
            return KnownIp.objects.get(user=user, ip_hash=hashed)
    else:
        for field, value in values.items():
            setattr(known, field, value)
        known.save(update_fields=list(values))
    audit_record(
        event_type=AuditEventType.IP_NEW, actor=user, target=known, new_values={"hold_until": str(now + IP_HOLD)}
    )
    sealed = task_secret_seal({"token": token, "ip": ip}, purpose=NEW_IP_PURPOSE, object_id=known.pk)
    transaction.on_commit(lambda: send_new_ip_email.delay(known.pk, sealed))
    return known


def known_ip_rows(*, user, ip: str) -> QuerySet[KnownIp]:
    """The user's row for this address (at most one), with what the trust check reads."""
    return KnownIp.objects.filter(user=user, ip_hash=ip_hash(ip)).only("status", "hold_until")


def ip_trust_check(*, user, ip: str, known: KnownIp | None = None) -> None:
    """Refuse money movement from an address that is not trusted yet. Raises IpNotTrusted.

    One indexed read on the hot path (none when the caller passes the row it read: `known`). An
    address never seen (a token carried to a new network) is recorded and held exactly as a login
    from it would be.
    """
    known = known or known_ip_rows(user=user, ip=ip).first()
    now = timezone.now()
    if known is None:
        known = _ip_record_unseen(user=user, ip=ip, hashed=ip_hash(ip))
    if known.status == KnownIpStatus.TRUSTED:
        return
    if known.status == KnownIpStatus.REVOKED:
        raise IpNotTrusted(
            "This IP address was revoked: log in again from it to start a new confirmation.",
            details={"status": known.status},
        )
    if known.hold_until and known.hold_until > now:
        retry_after = int((known.hold_until - now).total_seconds()) + 1
        raise IpNotTrusted(details={"status": known.status, "retry_after": retry_after})


@transaction.atomic
def _ip_record_unseen(*, user, ip: str, hashed: str) -> KnownIp:
    return _ip_start_hold(user=user, ip=ip, hashed=hashed, known=None)


@transaction.atomic
def ip_confirm(*, token: str) -> KnownIp:
    """Trust the address the emailed link was sent for. Raises IpConfirmTokenInvalid."""
    known = (
        KnownIp.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(confirm_token_hash=token_hash(token or ""), status=KnownIpStatus.PENDING)
        .exclude(confirm_token_hash="")
        .first()
    )
    now = timezone.now()
    if known is None or known.confirm_expires_at is None or known.confirm_expires_at <= now:
        raise IpConfirmTokenInvalid()
    known.status = KnownIpStatus.TRUSTED
    known.confirmed_at = now
    known.confirm_token_hash = ""
    known.save(update_fields=["status", "confirmed_at", "confirm_token_hash"])
    audit_record(event_type=AuditEventType.IP_CONFIRMED, actor=known.user, target=known)
    return known


@transaction.atomic
def ip_revoke(*, user, known_ip_id: int) -> KnownIp:
    """Stop trusting one of the caller's addresses. Raises KnownIpNotFound (also for anyone else's)."""
    known = KnownIp.objects.select_for_update().filter(user=user, pk=known_ip_id).first()
    if known is None:
        raise KnownIpNotFound()
    old_status = known.status
    known.status = KnownIpStatus.REVOKED
    known.confirm_token_hash = ""
    known.save(update_fields=["status", "confirm_token_hash"])
    audit_record(
        event_type=AuditEventType.IP_REVOKED,
        actor=user,
        target=known,
        old_values={"status": old_status},
        new_values={"status": known.status},
    )
    return known
