"""Writes of the webhooks: endpoints (register, rotate, delete), events (emit), redelivery."""

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.webhooks.exceptions import (
    WebhookDeliveryNotFound,
    WebhookEndpointDisabled,
    WebhookEndpointLimitReached,
    WebhookEndpointNotFound,
)
from accounts.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent
from accounts.webhooks.targets import webhook_url_check
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.envelope import Sealed, envelope_open, envelope_seal

SECRET_PURPOSE = "webhook-secret"  # noqa: S105  (the sealing purpose, bound into the ciphertext; not a secret)


def _secret_seal(endpoint: WebhookEndpoint) -> str:
    """A fresh secret, sealed onto `endpoint` (not saved); returns the plaintext to show once."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    sealed = envelope_seal(plaintext=secret.encode(), purpose=SECRET_PURPOSE, object_id=endpoint.pk)
    endpoint.secret_ciphertext, endpoint.secret_wrapped_key = sealed.ciphertext, sealed.wrapped_key
    endpoint.secret_key_id = sealed.key_id
    return secret


def webhook_secret_open(endpoint: WebhookEndpoint) -> str:
    return _open(endpoint, endpoint.secret_ciphertext, endpoint.secret_wrapped_key, endpoint.secret_key_id)


def webhook_signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """What a delivery is signed with: the current secret, and the one it replaced until its overlap ends."""
    secrets_now = [webhook_secret_open(endpoint)]
    expires_at = endpoint.previous_secret_expires_at
    if expires_at is not None and expires_at > timezone.now():
        secrets_now.append(
            _open(
                endpoint,
                endpoint.previous_secret_ciphertext,
                endpoint.previous_secret_wrapped_key,
                endpoint.previous_secret_key_id,
            )
        )
    return secrets_now


def _open(endpoint: WebhookEndpoint, ciphertext, wrapped_key, key_id: str) -> str:
    sealed = Sealed(ciphertext=bytes(ciphertext), wrapped_key=bytes(wrapped_key), key_id=key_id)
    return envelope_open(sealed=sealed, purpose=SECRET_PURPOSE, object_id=endpoint.pk).decode()


@transaction.atomic
def webhook_endpoint_create(*, owner: User, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown this once).

    Raises WebhookUrlForbidden, WebhookEndpointLimitReached."""
    webhook_url_check(url)
    # The owner's row lock serialises two registrations racing past the limit.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    if WebhookEndpoint.objects.filter(owner=owner).count() >= settings.WEBHOOK_MAX_ENDPOINTS_PER_USER:
        raise WebhookEndpointLimitReached(details={"max": settings.WEBHOOK_MAX_ENDPOINTS_PER_USER})
    endpoint = WebhookEndpoint(id=uuid.uuid4(), owner=owner, url=url, events=sorted(set(events)))
    secret = _secret_seal(endpoint)
    endpoint.save()
    audit_record(
        event_type=AuditEventType.WEBHOOK_ENDPOINT_CREATED,
        actor=owner,
        target=endpoint,
        new_values={"url": url, "events": endpoint.events},
    )
    return endpoint, secret


def _owned_locked(*, owner: User, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(owner=owner, pk=endpoint_id).first()
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, owner: User, endpoint_id) -> tuple[WebhookEndpoint, str]:
    """A new signing secret; the one it replaces signs too for WEBHOOK_SECRET_OVERLAP (an older one
    still in its overlap stops at once). Raises WebhookEndpointNotFound."""
    endpoint = _owned_locked(owner=owner, endpoint_id=endpoint_id)
    endpoint.previous_secret_ciphertext = endpoint.secret_ciphertext
    endpoint.previous_secret_wrapped_key = endpoint.secret_wrapped_key
    endpoint.previous_secret_key_id = endpoint.secret_key_id
    endpoint.previous_secret_expires_at = timezone.now() + settings.WEBHOOK_SECRET_OVERLAP
    secret = _secret_seal(endpoint)
    endpoint.save(
        update_fields=[
            "secret_ciphertext",
            "secret_wrapped_key",
            "secret_key_id",
            "previous_secret_ciphertext",
            "previous_secret_wrapped_key",
            "previous_secret_key_id",
            "previous_secret_expires_at",
        ]
    )
    audit_record(
        event_type=AuditEventType.WEBHOOK_SECRET_ROTATED,
        actor=owner,
        target=endpoint,
        new_values={"previous_secret_expires_at": endpoint.previous_secret_expires_at.isoformat()},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, owner: User, endpoint_id) -> None:
    """Delete the endpoint and its deliveries (pending ones are never sent). Raises WebhookEndpointNotFound."""
    endpoint = _owned_locked(owner=owner, endpoint_id=endpoint_id)
    audit_record(
        event_type=AuditEventType.WEBHOOK_ENDPOINT_DELETED,
        actor=owner,
        target=endpoint,
        old_values={"url": endpoint.url, "events": endpoint.events},
    )
    endpoint.delete()


def _queue_on_commit(delivery_ids: list) -> None:
    from accounts.webhooks.tasks import deliver_webhook  # the task module imports the delivery code

    for delivery_id in delivery_ids:
        transaction.on_commit(lambda d=str(delivery_id): deliver_webhook.delay(d), robust=True)


@transaction.atomic(savepoint=False)
def webhook_event_emit(*, user: User, event_type: str, key: str, data: dict) -> WebhookEvent | None:
    """Record an event for `user` in the caller's transaction, one delivery per subscribed endpoint.

    Idempotent per (user, key): a service or relay that runs twice emits one event with one id.
    Writes nothing when no active endpoint of the user subscribes to `event_type`."""
    endpoints = list(WebhookEndpoint.objects.filter(owner=user, is_active=True, events__contains=[event_type]))
    if not endpoints:
        return None
    event, created = WebhookEvent.objects.get_or_create(
        user=user, key=key, defaults={"event_type": event_type, "data": data}
    )
    if not created:
        return event
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event) for endpoint in endpoints]
    )
    _queue_on_commit([delivery.pk for delivery in deliveries])
    return event


@transaction.atomic
def webhook_delivery_redeliver(*, owner: User, endpoint_id, delivery_id) -> WebhookDelivery:
    """Send a delivery again (same event id) now, whatever its status, with a fresh retry window.

    Raises WebhookEndpointNotFound, WebhookDeliveryNotFound, WebhookEndpointDisabled."""
    endpoint = _owned_locked(owner=owner, endpoint_id=endpoint_id)
    if not endpoint.is_active:
        raise WebhookEndpointDisabled()
    delivery = WebhookDelivery.objects.select_for_update().filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise WebhookDeliveryNotFound()
    delivery.status = WebhookDeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.give_up_at = timezone.now() + timedelta(hours=settings.WEBHOOK_RETRY_WINDOW_HOURS)
    delivery.save(update_fields=["status", "next_attempt_at", "give_up_at"])
    _queue_on_commit([delivery.pk])
    return delivery
