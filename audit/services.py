from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.chain import canonical_json
from audit.context import current_ip_hash
from audit.models import AuditEvent, AuditEventType
from vaultpay.request_id import current_request_id


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

    A plain insert that takes no lock: the sequencer (audit.sealing) links it into the chain after
    it commits. The actor's role is read from the actor; the IP hash defaults to the current request's.
    """
    return AuditEvent.objects.create(
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
