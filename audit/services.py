from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import canonical_json, event_hash
from audit.context import current_ip_hash
from audit.models import GENESIS_HASH, AuditEvent, AuditEventType
from vaultpay.request_id import current_request_id

# One fixed key for pg_advisory_xact_lock: every chain write in the cluster takes it.
_CHAIN_LOCK_ID = 0x5641554C54415544  # "VAULTAUD"


def _lock_chain() -> None:
    """Serialize chain writes until commit, so each event links to the one committed before it.

    Taken last in any transaction (after wallet row locks): a service must not lock other rows after
    recording an audit event, or two transactions could wait on each other.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _actor_role(actor: Any) -> str:
    return getattr(actor, "role", "") or ""


@transaction.atomic(savepoint=False)
def audit_record(
    *,
    event_type: AuditEventType,
    actor: Any = None,
    target: models.Model | None = None,
    old_values: dict | None = None,
    new_values: dict | None = None,
    ip_hash: str | None = None,
) -> AuditEvent:
    """Append an audit event inside the caller's transaction, so it commits or rolls back with the change.

    The actor's role is read from the actor; the IP hash defaults to the current request's.
    """
    _lock_chain()
    event = AuditEvent(
        occurred_at=timezone.now(),
        event_type=event_type,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=_actor_role(actor) if getattr(actor, "pk", None) else "",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        request_id=current_request_id()[:64],
        ip_hash=current_ip_hash() if ip_hash is None else ip_hash,
        old_values=canonical_json(old_values),
        new_values=canonical_json(new_values),
    )
    event.prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event
