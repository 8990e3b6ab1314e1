"""Delivering one webhook: claim it, send it signed, record the answer, schedule a retry or give up.

At least once: a claim only moves the delivery's next attempt one lease ahead (it stays pending),
and only a 2xx answer marks it succeeded. A worker killed mid-send therefore leaves it pending,
and webhook_deliveries_retry_due sends it again, with the same event id, once the lease runs out.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.notifications import user_notify
from accounts.webhooks.exceptions import WebhookUrlForbidden
from accounts.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from accounts.webhooks.sending import SendOutcome, webhook_post
from accounts.webhooks.services import webhook_signing_secrets
from accounts.webhooks.targets import webhook_target_resolve
from audit.models import AuditEventType
from audit.services import audit_record


def webhook_body(delivery: WebhookDelivery) -> bytes:
    """The JSON every attempt of this event sends, byte for byte."""
    event = delivery.event
    payload = {
        "id": str(event.id),
        "type": event.event_type,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def _claim(delivery_id: str) -> WebhookDelivery | None:
    """Take a due delivery for one lease (a committed UPDATE: two workers never both win it)."""
    now = timezone.now()
    lease_end = now + timedelta(seconds=settings.WEBHOOK_CLAIM_LEASE_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).update(next_attempt_at=lease_end, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)


def webhook_retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s after the first failure, doubling, at most WEBHOOK_RETRY_MAX_DELAY."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS))


def webhook_deliver(*, delivery_id: str) -> str | None:
    """One attempt at a due delivery; returns its status afterwards, None when it was not due."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        target = webhook_target_resolve(delivery.endpoint.url)
    except WebhookUrlForbidden as exc:
        outcome = SendOutcome(None, "", exc.details.get("reason", exc.message))
    else:
        outcome = webhook_post(
            target=target,
            body=webhook_body(delivery),
            secrets=webhook_signing_secrets(delivery.endpoint),
            event_id=str(delivery.event_id),
        )
    return _record(delivery_id=delivery.pk, outcome=outcome)


@transaction.atomic
def _record(*, delivery_id, outcome: SendOutcome) -> str | None:
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:  # its endpoint was deleted while the request was in flight
        return None
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    now = timezone.now()
    delivery.last_status_code, delivery.last_response, delivery.last_error = (
        outcome.status_code,
        outcome.response,
        outcome.error,
    )
    if outcome.acknowledged:
        delivery.status = WebhookDeliveryStatus.SUCCEEDED
        endpoint.consecutive_failures = 0
    else:
        endpoint.consecutive_failures += 1
        retry_at = now + webhook_retry_delay(delivery.attempts)
        if retry_at > delivery.give_up_at:
            delivery.status = WebhookDeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = retry_at
        if endpoint.is_active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
            _endpoint_disable(endpoint)
    delivery.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_response", "last_error"])
    endpoint.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
    return delivery.status


def _endpoint_disable(endpoint: WebhookEndpoint) -> None:
    endpoint.is_active, endpoint.disabled_at = False, timezone.now()
    audit_record(
        event_type=AuditEventType.WEBHOOK_ENDPOINT_DISABLED,
        target=endpoint,
        new_values={"consecutive_failures": endpoint.consecutive_failures},
    )
    user_notify(
        user=endpoint.owner,
        event_key=f"webhook:{endpoint.pk}:disabled:{endpoint.disabled_at.isoformat()}",
        kind="webhook_disabled",
        context={
            "url": endpoint.url,
            "failures": endpoint.consecutive_failures,
            "retry_days": settings.WEBHOOK_RETRY_WINDOW_HOURS // 24,
            "summary": f"Webhooks to {endpoint.url} stopped after {endpoint.consecutive_failures} failures.",
        },
    )


def webhook_deliveries_due(*, batch: int = 500) -> list[str]:
    """Ids of pending deliveries whose next attempt (a retry, or an expired claim) is due."""
    return [
        str(pk)
        for pk in WebhookDelivery.objects.filter(
            status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(), endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    ]
