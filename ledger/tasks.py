from celery import shared_task
from django.db import DatabaseError

from ledger.idempotency import idempotency_purge_expired
from ledger.outbox import outbox_relay_batch
from ledger.receipts import transaction_receipts_queue
from ledger.services.holds import holds_expire_due
from ledger.webhook_events import hold_events_emit

# Tasks the outbox relay publishes: acknowledged once done (a worker killed mid-task runs it again) and
# retried while the database is unavailable; each is idempotent, so running twice sends nothing twice.
_DELIVERED_AT_LEAST_ONCE = dict(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)


@shared_task
def purge_expired_idempotency_keys() -> int:
    """Scheduled by Celery beat every hour (CELERY_BEAT_SCHEDULE)."""
    return idempotency_purge_expired()


@shared_task(**_DELIVERED_AT_LEAST_ONCE)
def send_transaction_receipts(transaction_ids: list[str]) -> int:
    """Published by the outbox relay, one task per batch of postings (one broker round trip for many):
    notify each user party and queue their receipt emails. Each transaction's receipts are their own
    database transaction and idempotent, so a retried batch sends nothing twice."""
    return sum(transaction_receipts_queue(transaction_id=transaction_id) for transaction_id in transaction_ids)


@shared_task(**_DELIVERED_AT_LEAST_ONCE)
def send_hold_events(subjects: list[str]) -> int:
    """Published by the outbox relay: each "<hold id>:<event type>" as a webhook event (idempotent per event)."""
    return hold_events_emit(subjects)


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    """Scheduled by Celery beat: the outbox's backstop when no `outbox_relay` process is running."""
    return len(outbox_relay_batch())


@shared_task(ignore_result=True)
def expire_holds() -> int:
    """Scheduled by Celery beat every 30 seconds: holds past their expiry go back to their wallets."""
    return holds_expire_due()
