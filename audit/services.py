from typing import Any

from django.db import models, transaction

from audit.models import AuditEvent, AuditEventType
from vaultpay.request_id import current_request_id


@transaction.atomic(savepoint=False)
def audit_record(
    *,
    event_type: AuditEventType,
    actor: Any = None,
    target: models.Model | None = None,
    old_values: dict | None = None,
    new_values: dict | None = None,
) -> AuditEvent:
    """Append an audit event inside the caller's transaction, so it commits or rolls back with the change."""
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor if getattr(actor, "pk", None) else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        request_id=current_request_id()[:64],
        old_values=old_values or {},
        new_values=new_values or {},
    )
