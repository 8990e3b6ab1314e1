from rest_framework import status

from vaultpay.errors import VaultPayError


class WebhookUrlForbidden(VaultPayError):
    code = "webhook_url_forbidden"
    status_code = status.HTTP_400_BAD_REQUEST
    message = "VaultPay does not send webhooks to this URL."


class WebhookEndpointNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such webhook endpoint."


class WebhookDeliveryNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such webhook delivery."


class WebhookEndpointLimitReached(VaultPayError):
    code = "webhook_endpoint_limit_reached"
    status_code = status.HTTP_409_CONFLICT
    message = "You have registered as many webhook endpoints as VaultPay allows."


class WebhookEndpointDisabled(VaultPayError):
    code = "webhook_endpoint_disabled"
    status_code = status.HTTP_409_CONFLICT
    message = "This endpoint was disabled after repeated failures; register it again to receive events."
