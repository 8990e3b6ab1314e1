"""The transactional outbox's relay: publish what committed postings left behind, then forget it.

A posting inserts an OutboxMessage in its own transaction (ledger/sql/posting.sql), and so does a
hold's every step (its webhook event: ledger.services.holds), so nothing on the request path talks
to the broker. The relay takes rows with SKIP LOCKED (several relays never
publish one row twice at once), publishes each topic's task and deletes the rows in the same
transaction: a broker error rolls the batch back to be retried, a crash after publishing sends it
again (at least once; the receipt task is idempotent). A batch's messages of one topic go out as
one task, so under load the broker sees one publish for many postings.
"""

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ledger.models import OutboxMessage


def _publishers() -> dict:
    from ledger.tasks import send_hold_events, send_transaction_receipts  # the task module imports services that post

    return {"transaction.receipts": send_transaction_receipts.delay, "hold.events": send_hold_events.delay}


def outbox_relay_on_commit(subject_id: str) -> None:
    """With no worker (the embedded default, the tests), relay a subject's messages as soon as its change commits."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: outbox_relay_batch(subject_id=subject_id), robust=True)


@transaction.atomic
def outbox_relay_batch(*, batch: int = 500, subject_id: str | None = None) -> list[float]:
    """Publish and delete up to `batch` messages, oldest first; returns each one's delay in seconds.

    `subject_id`: only that row's messages (a posting relaying its own, with no worker running).
    """
    pending = OutboxMessage.objects.select_for_update(skip_locked=True).order_by("id")
    if subject_id is not None:
        pending = pending.filter(subject_id=subject_id)
    messages = list(pending[:batch])
    if not messages:
        return []
    publishers = _publishers()
    by_topic: dict[str, list[str]] = {}
    for message in messages:
        by_topic.setdefault(message.topic, []).append(message.subject_id)
    for topic, subject_ids in by_topic.items():  # one task per topic and batch: one broker round trip
        publishers[topic](subject_ids)
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).delete()
    now = timezone.now()
    return [(now - m.created_at).total_seconds() for m in messages]


def outbox_relay_forever(*, poll_interval: float, until: float | None = None, on_batch=None, batch: int = 500) -> None:
    """Relay until `until` (a time.monotonic() deadline) or forever.

    Between batches it waits `poll_interval` unless the batch was full: under load, each pass then
    carries many postings' messages in one transaction and one publish per topic, at the price of a
    receipt leaving up to `poll_interval` later.
    """
    while until is None or time.monotonic() < until:
        delays = outbox_relay_batch(batch=batch)
        if on_batch is not None and delays:
            on_batch(delays)
        if len(delays) < batch:
            time.sleep(poll_interval)
