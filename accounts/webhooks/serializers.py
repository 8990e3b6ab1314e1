from rest_framework import serializers

from accounts.webhooks.events import WEBHOOK_EVENTS


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(
        max_length=500,
        help_text="An https URL on a public address (plain http only to loopback in development).",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(WEBHOOK_EVENTS)),
        min_length=1,
        max_length=len(WEBHOOK_EVENTS),
        help_text="The event types to send: " + "; ".join(f"`{k}`: {v}" for k, v in WEBHOOK_EVENTS.items()),
    )


class WebhookEndpointOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField(help_text="False once disabled after repeated failed deliveries.")
    disabled_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookEndpointSecretOutputSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.CharField(
        help_text="The signing secret, shown only in this response: store it to verify `VaultPay-Signature`."
    )
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="After a rotation: until then every delivery carries a second `v1` signature, under the "
        "secret this one replaced, so a receiver can switch over without rejecting any.",
    )


class WebhookDeliveryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    event_id = serializers.UUIDField(help_text="The `id` of the event's JSON body, the same on every attempt.")
    event_type = serializers.CharField(source="event.event_type")
    status = serializers.CharField(help_text="`pending`, `succeeded` or `failed` (retry window closed).")
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_response = serializers.CharField(help_text="The first 300 bytes of the endpoint's last answer.")
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
