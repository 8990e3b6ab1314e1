"""Key rotation re-wraps webhook signing secrets too: after it, the old master key can go."""

import pytest
from django.core.management import call_command

from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.services import webhook_endpoint_create, webhook_secret_open

pytestmark = pytest.mark.django_db

KEY_A = "key-a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "key-b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def test_rotation_rewraps_signing_secrets(settings, user):
    settings.KYC_MASTER_KEYS = KEY_A
    endpoint, secret = webhook_endpoint_create(owner=user, url="https://hooks.example.com/a", events=["kyc.decided"])
    # when a new master key is put first and the command runs
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    call_command("rotate_kyc_keys")
    # then the secret is under the new key and still signs, with the old key gone
    settings.KYC_MASTER_KEYS = KEY_B
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint.secret_key_id == "key-b"
    assert webhook_secret_open(endpoint) == secret
