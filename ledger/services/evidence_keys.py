"""Dispute evidence under master-key rotation: find what an older key wraps, re-wrap it one by one."""

from collections.abc import Iterator

from django.db import transaction

from ledger.evidence import evidence_rewrap
from ledger.models import Dispute
from vaultpay.envelope import current_key_id


def dispute_evidence_on_old_keys(*, batch_size: int = 500) -> Iterator:
    """Ids of disputes whose evidence key is wrapped by another master key than the current one."""
    current, last_id = current_key_id(), None
    while True:
        pending = Dispute.objects.exclude(evidence_name="").exclude(evidence_key_id=current).order_by("pk")
        if last_id is not None:
            pending = pending.filter(pk__gt=last_id)
        batch = list(pending.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1]


@transaction.atomic
def dispute_evidence_rewrap(*, dispute_id) -> bool:
    """Re-wrap one dispute's evidence key under the current master key; False if already done.

    Locks only the dispute row, which no other lock is then awaited under (no deadlock with a
    decision, which locks the transaction first). Raises EncryptionKeyUnknown (its old key is no
    longer configured), EncryptedFileUnreadable.
    """
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute_id)
    if not dispute.evidence_name or dispute.evidence_key_id == current_key_id():
        return False
    wrapped_key, key_id = evidence_rewrap(
        name=dispute.evidence_name, key_id=dispute.evidence_key_id, wrapped_key=dispute.evidence_wrapped_key
    )
    Dispute.objects.filter(pk=dispute.pk).update(evidence_wrapped_key=wrapped_key, evidence_key_id=key_id)
    return True
