"""Master-key rotation of the sealed signing secrets (registered with vaultpay.key_rotation)."""

from django.db import transaction
from django.db.models import Q

from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.services import SECRET_PURPOSE
from vaultpay.envelope import current_key_id, envelope_rewrap


def _on_old_keys(current: str) -> Q:
    # The secret a rotation replaced counts as long as it is kept (it signs during its overlap).
    previous = Q(previous_secret_wrapped_key__isnull=False) & ~Q(previous_secret_key_id=current)
    return ~Q(secret_key_id=current) | previous


def webhook_secrets_on_old_keys(*, batch_size: int = 500):
    """Ids of endpoints with a secret whose data key is wrapped by another master key than the current one."""
    pending = WebhookEndpoint.objects.filter(_on_old_keys(current_key_id())).order_by("pk").values_list("pk", flat=True)
    yield from pending.iterator(chunk_size=batch_size)


@transaction.atomic
def webhook_secret_rewrap(*, endpoint_id) -> bool:
    """Re-wrap the endpoint's secrets' data keys under the current master key; False if already done."""
    current = current_key_id()
    endpoint = WebhookEndpoint.objects.select_for_update().filter(_on_old_keys(current), pk=endpoint_id).first()
    if endpoint is None:
        return False
    changes = {}
    for prefix in ("secret", "previous_secret"):
        wrapped, key_id = getattr(endpoint, f"{prefix}_wrapped_key"), getattr(endpoint, f"{prefix}_key_id")
        if wrapped is None or key_id == current:
            continue
        new_wrapped, new_key_id = envelope_rewrap(
            wrapped_key=bytes(wrapped), key_id=key_id, purpose=SECRET_PURPOSE, object_id=endpoint.pk
        )
        changes |= {f"{prefix}_wrapped_key": new_wrapped, f"{prefix}_key_id": new_key_id}
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
    return True
