from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from audit.models import AuditEvent
from vaultpay.admin_mixins import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "actor", "actor_role", "target", "request_id"]
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
    readonly_fields = [f.name for f in AuditEvent._meta.fields] + ["target"]
    date_hierarchy = "occurred_at"

    @admin.display(description="Target")
    def target(self, event: AuditEvent) -> str:
        """A link to the target's console page (no query per row); plain text when it has no page."""
        label = f"{event.target_type}:{event.target_id}" if event.target_type else "—"
        if not (event.target_type and event.target_id):
            return label
        app_label, _, model_name = event.target_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[event.target_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)
