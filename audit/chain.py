"""The audit hash chain: canonical content of an event, its hash, and the walk that verifies it."""

import hashlib
import json
from dataclasses import dataclass

from audit.models import GENESIS_HASH, AuditEvent


def canonical_json(value) -> object:
    """The value as it will read back from a JSON column, so the hash is the same before and after."""
    return json.loads(json.dumps(value or {}, sort_keys=True, default=str))


def event_hash(event: AuditEvent) -> str:
    content = {
        "prev_hash": event.prev_hash,
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
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def audit_chain_verify(*, progress=None) -> ChainReport:
    """Walk every event in insertion order; stop at the first one whose link or content does not match.

    `progress`, when given, is called with the number of events verified so far.
    """
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "its link to the previous event is broken (an event was removed?)")
        if event.hash != event_hash(event):
            return ChainReport(checked, event.pk, "its content does not match its hash (the row was edited)")
        expected_prev = event.hash
        checked += 1
        if progress is not None:
            progress(checked)
    return ChainReport(checked)
