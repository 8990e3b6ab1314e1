"""Webhook endpoints, events and deliveries (models of the accounts app, imported by accounts.models)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """A URL a user asked VaultPay to POST events to; its signing secret is sealed (vaultpay.envelope)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    events = ArrayField(models.CharField(max_length=64))
    # The secret must sign every delivery, so it cannot be a one-way hash: it is sealed under the
    # master keys like a KYC document (a fresh data key, bound to this endpoint's id).
    secret_ciphertext = models.BinaryField()
    secret_wrapped_key = models.BinaryField()
    secret_key_id = models.CharField(max_length=64)
    # The secret a rotation replaced still signs deliveries (beside the new one) until this instant, so
    # a receiver can switch to the new secret without rejecting anything in between; sealed the same way.
    previous_secret_ciphertext = models.BinaryField(null=True, blank=True)
    previous_secret_wrapped_key = models.BinaryField(null=True, blank=True)
    previous_secret_key_id = models.CharField(max_length=64, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["owner", "is_active"], name="webhook_endpoint_owner_idx")]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """Something that happened to one user; its id is the event id every delivery of it carries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=64)
    key = models.CharField(max_length=200, help_text="What the event is about: one event per (user, key).")
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="webhook_event_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.id}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


def _retry_window_end():
    return timezone.now() + timedelta(hours=settings.WEBHOOK_RETRY_WINDOW_HOURS)


class WebhookDelivery(models.Model):
    """One event for one endpoint: pending until the endpoint answers 2xx, or the retry window closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=WebhookDeliveryStatus.choices, default=WebhookDeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # The next time a worker may claim it; a claim moves it one lease ahead, so a worker that dies
    # mid-send leaves the delivery pending and the retry task sends it again once the lease runs out.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_response = models.CharField(max_length=300, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # Retries stop here (WEBHOOK_RETRY_WINDOW_HOURS after it was created or redelivered).
    give_up_at = models.DateTimeField(default=_retry_window_end)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_unique_per_endpoint"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due_idx", condition=Q(status="pending")),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"
