from django.contrib import admin

from audit.models import AuditEvent
from vaultpay.admin_mixins import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "actor", "actor_role", "target_type", "target_id", "request_id"]
    list_filter = ["event_type", "actor_role", "target_type", "occurred_at"]
    # Filter by actor with ?actor__id__exact=<id>, or search their email; by target with its id.
    search_fields = ["actor__email", "target_id", "request_id"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    date_hierarchy = "occurred_at"
