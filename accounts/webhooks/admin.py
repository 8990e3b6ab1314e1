"""The console's read-only lists of webhook endpoints and deliveries (admins)."""

from django.contrib import admin

from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint
from vaultpay.admin_mixins import ReadOnlyAdminMixin, admin_change_link


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Never the sealed secret: the console shows where events go, not how they are signed.
    list_display = ["url", "owner", "events", "is_active", "consecutive_failures", "disabled_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "owner__email"]
    list_select_related = ["owner"]
    fields = ["id", "owner", "url", "events", "is_active", "consecutive_failures", "disabled_at", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "event_id",
        "event_type",
        "endpoint_link",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "event__event_type"]
    search_fields = ["event__id", "endpoint__url", "endpoint__owner__email"]
    list_select_related = ["event", "endpoint"]
    fields = [
        "id",
        "event",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_response",
        "last_error",
        "give_up_at",
        "created_at",
    ]

    @admin.display(description="Event type", ordering="event__event_type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.event_type

    @admin.display(description="Endpoint")
    def endpoint_link(self, delivery: WebhookDelivery) -> str:
        return admin_change_link(delivery.endpoint, delivery.endpoint.url)
