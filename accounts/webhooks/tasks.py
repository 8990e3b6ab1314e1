"""Celery tasks of the webhooks (registered through accounts.tasks, which the worker discovers)."""

from celery import shared_task
from django.db import DatabaseError

from accounts.webhooks.delivery import webhook_deliver, webhook_deliveries_due


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def deliver_webhook(delivery_id: str) -> str | None:
    """Queued after the event commits: one attempt now; a failure is retried by retry_due_webhooks."""
    return webhook_deliver(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def retry_due_webhooks() -> int:
    """Scheduled by beat: queue every pending delivery whose retry or expired claim is due."""
    due = webhook_deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)
