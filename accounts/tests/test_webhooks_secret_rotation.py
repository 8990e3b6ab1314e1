"""Rotating a signing secret without a gap: the replaced secret signs beside the new one for the overlap."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.webhook_receiver import signature_valid
from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.sending import webhook_signature
from accounts.webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_signing_secrets,
)
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from ledger.tests.conftest import fund

pytestmark = pytest.mark.django_db

KEY_A = "key-a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
KEY_B = "key-b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def _endpoint(user, url="https://hooks.example.com/a"):
    return webhook_endpoint_create(owner=user, url=url, events=["transaction.posted"])


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends(user, settings):
    settings.WEBHOOK_SECRET_OVERLAP = timedelta(hours=24)
    endpoint, old = _endpoint(user)
    endpoint, new = webhook_endpoint_rotate_secret(owner=user, endpoint_id=endpoint.pk)

    assert webhook_signing_secrets(endpoint) == [new, old]
    expires_at = WebhookEndpoint.objects.get(pk=endpoint.pk).previous_secret_expires_at
    assert timedelta(hours=23, minutes=59) < expires_at - timezone.now() <= timedelta(hours=24)
    # A receiver holding either secret accepts the header.
    body, now = b'{"id": "e1"}', int(timezone.now().timestamp())
    header = webhook_signature(secrets=webhook_signing_secrets(endpoint), timestamp=now, body=body)
    assert header.count("v1=") == 2
    assert signature_valid(secret=old, header=header, body=body)
    assert signature_valid(secret=new, header=header, body=body)
    assert not signature_valid(secret="whsec_someone-else", header=header, body=body)
    # Once the overlap is over, only the new secret signs.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    assert webhook_signing_secrets(WebhookEndpoint.objects.get(pk=endpoint.pk)) == [new]


def test_a_second_rotation_ends_the_first_ones_overlap(user):
    endpoint, first = _endpoint(user)
    endpoint, second = webhook_endpoint_rotate_secret(owner=user, endpoint_id=endpoint.pk)
    endpoint, third = webhook_endpoint_rotate_secret(owner=user, endpoint_id=endpoint.pk)
    assert webhook_signing_secrets(WebhookEndpoint.objects.get(pk=endpoint.pk)) == [third, second]
    assert first not in webhook_signing_secrets(endpoint)


def test_rotating_through_the_api_says_until_when_the_old_secret_signs(user):
    client = client_for(user)
    first = client.post(
        "/api/v1/webhooks", {"url": "https://hooks.example.com/a", "events": ["transaction.posted"]}, format="json"
    ).json()
    assert first["previous_secret_expires_at"] is None

    rotated = client.post(f"/api/v1/webhooks/{first['id']}/rotate-secret")

    assert rotated.status_code == 200
    body = rotated.json()
    assert body["secret"] != first["secret"] and body["previous_secret_expires_at"]
    event = AuditEvent.objects.get(event_type=AuditEventType.WEBHOOK_SECRET_ROTATED)
    assert event.new_values == {"previous_secret_expires_at": body["previous_secret_expires_at"].replace("Z", "+00:00")}


def test_a_receiver_still_on_the_old_secret_verifies_deliveries_after_a_rotation(
    user, wallet, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint, old = webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["transaction.posted"])
    webhook_endpoint_rotate_secret(owner=user, endpoint_id=endpoint.pk)
    webhook_receiver.secret = old  # the receiver has not deployed the new secret yet
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 1_000)
    [received] = webhook_receiver.received
    assert received["event"]["type"] == "transaction.posted" and received["verified"]


def test_master_key_rotation_rewraps_the_replaced_secret_too(settings, user):
    settings.KYC_MASTER_KEYS = KEY_A
    endpoint, old = _endpoint(user)
    endpoint, new = webhook_endpoint_rotate_secret(owner=user, endpoint_id=endpoint.pk)
    settings.KYC_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    call_command("rotate_kyc_keys")
    settings.KYC_MASTER_KEYS = KEY_B  # the old master key is gone
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (endpoint.secret_key_id, endpoint.previous_secret_key_id) == ("key-b", "key-b")
    assert webhook_signing_secrets(endpoint) == [new, old]
