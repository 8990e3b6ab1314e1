from django.db.models import QuerySet

from accounts.models import User
from accounts.webhooks.exceptions import WebhookEndpointNotFound
from accounts.webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoints_for_user(*, user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=user).order_by("-created_at", "pk")


def webhook_deliveries_for_endpoint(*, user: User, endpoint_id) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first. Raises WebhookEndpointNotFound for anyone else's."""
    if not WebhookEndpoint.objects.filter(owner=user, pk=endpoint_id).exists():
        raise WebhookEndpointNotFound()
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id).select_related("event").order_by("-created_at", "pk")
