from django.contrib import admin

from audit.models import AuditEvent
from vaultpay.admin_mixins import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "actor", "actor_role", "target_type", "target_id", "request_id"]
    # RelatedOnlyFieldListFilter lists only people who have acted, not every user.
    list_filter = [
        "event_type",
        "actor_role",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "target_type",
        "occurred_at",
    ]
    # Search finds an actor by email, a target by its id, a request by its id.
    search_fields = ["actor__email", "target_id", "request_id"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    date_hierarchy = "occurred_at"
