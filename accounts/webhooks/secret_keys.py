"""Master-key rotation of the sealed signing secrets (registered with vaultpay.key_rotation)."""

from django.db import transaction

from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.services import SECRET_PURPOSE
from vaultpay.envelope import current_key_id, envelope_rewrap


def webhook_secrets_on_old_keys(*, batch_size: int = 500):
    """Ids of endpoints whose secret's data key is wrapped by another master key than the current one."""
    current = current_key_id()
    pending = WebhookEndpoint.objects.exclude(secret_key_id=current).order_by("pk").values_list("pk", flat=True)
    yield from pending.iterator(chunk_size=batch_size)


@transaction.atomic
def webhook_secret_rewrap(*, endpoint_id) -> bool:
    """Re-wrap one secret's data key under the current master key; False if already done."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if endpoint.secret_key_id == current_key_id():
        return False
    wrapped_key, key_id = envelope_rewrap(
        wrapped_key=bytes(endpoint.secret_wrapped_key),
        key_id=endpoint.secret_key_id,
        purpose=SECRET_PURPOSE,
        object_id=endpoint.pk,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_wrapped_key=wrapped_key, secret_key_id=key_id)
    return True
