from django.db.models import Q, QuerySet

from accounts.models import KnownIp
from audit.models import SECURITY_EVENT_TYPES, AuditEvent


def known_ips_for_user(*, user) -> QuerySet[KnownIp]:
    return KnownIp.objects.filter(user=user).order_by("-last_seen")


def security_events_for_user(*, user) -> QuerySet[AuditEvent]:
    """The caller's own security trail: what they did, and failed logins to their account."""
    own = Q(actor=user) | Q(target_type="accounts.user", target_id=str(user.pk))
    return AuditEvent.objects.filter(own, event_type__in=SECURITY_EVENT_TYPES).order_by("-id")
