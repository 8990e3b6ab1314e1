"""The audit sequencer: links events into the keyed hash chain after they commit, within a bounded lag.

Postings and every other service append audit events freely (an insert, no shared lock). The
sequencer, one at a time (a transaction-level advisory lock that only it takes), seals the events
committed since its last run in id order, writes a signed checkpoint of the chain's head and keeps
the head in the cache too (Redis in production): an anchor outside the database, so removing the
newest events together with their seals and checkpoints still shows. Run by Celery beat every
AUDIT_SEAL_INTERVAL, and by `verify_audit` before it verifies.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from audit.chain import checkpoint_signature, link_hash
from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditSeal

_SEQUENCER_LOCK_ID = 0x5641554C54534551  # "VAULTSEQ": only the sequencer takes it, never a posting
ANCHOR_CACHE_KEY = "audit:chain-head"
_ANCHOR_TIMEOUT = None  # kept until replaced


def audit_anchor() -> tuple[int, str] | None:
    """The chain head (seq, hash) the sequencer last left outside the database, if any."""
    anchored = cache.get(ANCHOR_CACHE_KEY)
    return tuple(anchored) if anchored else None


@transaction.atomic
def audit_seal_pending(*, batch: int = 5000) -> int:
    """Seal the committed events not in the chain yet, oldest id first; returns how many were sealed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK_ID])
    seq, prev_hash = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS_HASH)
    pending = AuditEvent.objects.filter(seal__isnull=True).order_by("id")
    if seq:  # the chain exists: only recent events can be unsealed (verify_audit flags any older one)
        pending = pending.filter(occurred_at__gte=timezone.now() - settings.AUDIT_SEAL_LOOKBACK)
    now = timezone.now()
    seals = []
    for event in pending[:batch]:
        seq += 1
        link = link_hash(prev_hash=prev_hash, seq=seq, event=event)
        seals.append(AuditSeal(seq=seq, event=event, prev_hash=prev_hash, hash=link, sealed_at=now))
        prev_hash = link
    if seals:
        AuditSeal.objects.bulk_create(seals)
        AuditCheckpoint.objects.create(
            seq=seq,
            hash=prev_hash,
            created_at=now,
            signature=checkpoint_signature(seq=seq, head_hash=prev_hash, created_at=now),
        )
        head = (seq, prev_hash)
        # robust: a cache outage must not fail the sealing, which has committed; the next run anchors again.
        transaction.on_commit(lambda: cache.set(ANCHOR_CACHE_KEY, head, timeout=_ANCHOR_TIMEOUT), robust=True)
    return len(seals)


def audit_seal_everything_pending() -> int:
    """Seal batch after batch until nothing is pending (a backlog larger than one batch); returns how many."""
    total = 0
    while sealed := audit_seal_pending():
        total += sealed
    return total
