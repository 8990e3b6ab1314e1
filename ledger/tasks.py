from celery import shared_task

from ledger.idempotency import idempotency_purge_expired


@shared_task
def purge_expired_idempotency_keys() -> int:
    """Scheduled by Celery beat every hour (CELERY_BEAT_SCHEDULE)."""
    return idempotency_purge_expired()
