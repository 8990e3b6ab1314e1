"""The audit chain: an event's canonical content, the keyed hash of a link, and the walk that verifies it."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditSeal


def canonical_json(value) -> object:
    """The value as it will read back from a JSON column, so the hash is the same before and after."""
    return json.loads(json.dumps(value or {}, sort_keys=True, default=str))


def _mac(message: str) -> str:
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def link_hash(*, prev_hash: str, seq: int, event: AuditEvent) -> str:
    """HMAC of the previous link, this link's position and everything the event says (its id included)."""
    content = {
        "prev_hash": prev_hash,
        "seq": seq,
        "event_id": event.pk,
        "occurred_at": event.occurred_at.isoformat(),
        "event_type": str(event.event_type),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "request_id": event.request_id,
        "ip_hash": event.ip_hash,
        "old_values": event.old_values,
        "new_values": event.new_values,
    }
    return _mac(json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def checkpoint_signature(*, seq: int, head_hash: str, created_at: datetime) -> str:
    return _mac(f"checkpoint:{seq}:{head_hash}:{created_at.isoformat()}")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def _verify_links(progress) -> ChainReport:
    expected_prev, expected_seq = GENESIS_HASH, 1
    seals = AuditSeal.objects.select_related("event").order_by("seq")
    for seal in seals.iterator(chunk_size=2000):
        if seal.seq != expected_seq:
            return ChainReport(expected_seq - 1, expected_seq, "link missing (an event and its seal were removed?)")
        if seal.prev_hash != expected_prev:
            return ChainReport(expected_seq - 1, seal.seq, "its link to the previous event is broken (reordered?)")
        if seal.hash != link_hash(prev_hash=seal.prev_hash, seq=seal.seq, event=seal.event):
            return ChainReport(
                expected_seq - 1, seal.seq, "its content does not match its keyed hash (edited or forged)"
            )
        expected_prev, expected_seq = seal.hash, expected_seq + 1
        if progress is not None:
            progress(expected_seq - 1)
    return ChainReport(expected_seq - 1)


def _verify_head(report: ChainReport, anchor: tuple[int, str] | None) -> ChainReport:
    """The newest links must reach the signed checkpoints and the anchor kept outside the database."""
    head = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS_HASH)
    for checkpoint in AuditCheckpoint.objects.order_by("-id")[:1]:
        expected = checkpoint_signature(seq=checkpoint.seq, head_hash=checkpoint.hash, created_at=checkpoint.created_at)
        if not hmac.compare_digest(checkpoint.signature, expected):
            return ChainReport(report.checked, checkpoint.seq, "the newest checkpoint's signature is wrong (forged)")
        linked = AuditSeal.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
        if linked != checkpoint.hash:
            return ChainReport(report.checked, checkpoint.seq, "the chain no longer reaches its newest checkpoint")
    if anchor is not None and (
        head[0] < anchor[0]
        or AuditSeal.objects.filter(seq=anchor[0]).values_list("hash", flat=True).first() != anchor[1]
    ):
        return ChainReport(report.checked, anchor[0], "the chain ends before the anchored head (newest events removed)")
    return report


def _unsealed_too_long(max_lag: timedelta) -> int | None:
    """An event older than the sealing lag and still unsealed was slipped in past the sequencer."""
    cutoff = timezone.now() - max_lag
    return AuditEvent.objects.filter(seal__isnull=True, occurred_at__lt=cutoff).aggregate(first=Max("id"))["first"]


def audit_chain_verify(
    *, anchor: tuple[int, str] | None = None, max_lag: timedelta | None = None, progress=None
) -> ChainReport:
    """Walk every link in order, then check the head against the checkpoints and `anchor` (seq, hash).

    Stops at the first link that is missing, out of place or does not match its event. `progress`,
    when given, is called with the number of links verified so far.
    """
    report = _verify_links(progress)
    if not report.ok:
        return report
    report = _verify_head(report, anchor)
    if not report.ok:
        return report
    slipped = _unsealed_too_long(max_lag or settings.AUDIT_SEAL_MAX_LAG)
    if slipped is not None:
        return ChainReport(report.checked, None, f"event {slipped} was never sealed into the chain (inserted later?)")
    return report
