"""The HISTORY button of every console page: the audit events whose target is the object shown."""

from django.contrib.admin.utils import unquote

from audit.models import AuditEvent

HISTORY_LIMIT = 200


class AuditHistoryAdminMixin:
    """Show an object's audit trail (newest first) instead of Django's empty admin change log.

    Every change in VaultPay goes through a service that records an audit event, never through the
    admin's own forms, so LogEntry would only ever say "no change history".
    """

    object_history_template = "admin/audit_history.html"

    def history_view(self, request, object_id, extra_context=None):
        events = None
        if request.user.has_perm("audit.view_auditevent"):
            events = (
                AuditEvent.objects.filter(target_type=self.model._meta.label_lower, target_id=str(unquote(object_id)))
                .select_related("actor")
                .order_by("-id")[:HISTORY_LIMIT]
            )
        return super().history_view(request, object_id, {**(extra_context or {}), "audit_events": events})
