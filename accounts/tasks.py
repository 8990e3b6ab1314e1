import logging
import random
from datetime import timedelta

from celery import shared_task

from accounts.emails import email_deliveries_requeue_stale, email_delivery_send
from accounts.exceptions import EmailProviderError

logger = logging.getLogger(__name__)

# Backoff between provider retries: 30 s, 1 min, 2 min, ... capped at 30 min, with jitter so a
# provider outage does not end in a thundering herd.
_RETRY_BASE_SECONDS = 30
_RETRY_MAX_SECONDS = 30 * 60


@shared_task(bind=True, max_retries=8, acks_late=True, reject_on_worker_lost=True)
def send_email_delivery(self, delivery_id: int) -> str:
    """Send one EmailDelivery; safe to run twice (the row says whether it already went out)."""
    outcome = email_delivery_send(delivery_id=delivery_id)
    if outcome.status == "failed":
        countdown = min(_RETRY_MAX_SECONDS, _RETRY_BASE_SECONDS * 2**self.request.retries)
        raise self.retry(exc=EmailProviderError(outcome.error), countdown=countdown + random.randint(0, 10))  # noqa: S311
    return outcome.status


@shared_task
def requeue_stale_email_deliveries() -> int:
    """Scheduled by Celery beat (CELERY_BEAT_SCHEDULE): emails whose task never ran go out after all."""
    return email_deliveries_requeue_stale(older_than=timedelta(minutes=15))
