"""Registering, listing, rotating and deleting webhook endpoints: owner only, safe URLs only."""

import pytest

from accounts.webhooks.models import WebhookEndpoint
from accounts.webhooks.services import webhook_secret_open
from audit.models import AuditEvent, AuditEventType
from conftest import client_for

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://hooks.example.com/vaultpay"


def register(client, url=PUBLIC_URL, events=("transaction.posted",)):
    return client.post("/api/v1/webhooks", {"url": url, "events": list(events)}, format="json")


def test_register_shows_the_secret_once_and_stores_it_sealed(auth_client, user):
    # when
    response = register(auth_client, events=["kyc.decided", "transaction.posted"])
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["kyc.decided", "transaction.posted"]
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"].encode() not in bytes(endpoint.secret_ciphertext)
    assert webhook_secret_open(endpoint) == body["secret"]
    listed = auth_client.get("/api/v1/webhooks").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert AuditEvent.objects.filter(event_type=AuditEventType.WEBHOOK_ENDPOINT_CREATED, actor=user).exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/vaultpay",  # plain http
        "https://127.0.0.1/hook",  # loopback
        "https://localhost/hook",
        "https://10.0.0.5/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/hook",
        "https://[::ffff:192.168.1.1]/hook",  # a private IPv4 inside IPv6
        "https://user:pass@hooks.example.com/hook",
    ],
)
def test_unsafe_urls_are_refused(auth_client, url):
    response = register(auth_client, url=url)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "webhook_url_forbidden"
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_types_and_empty_lists_are_refused(auth_client):
    assert register(auth_client, events=["money.stolen"]).json()["error"]["code"] == "validation_error"
    assert register(auth_client, events=[]).status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_allowed_to_loopback_in_development_only(auth_client, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert register(auth_client, url="http://127.0.0.1:8123/hook").status_code == 201
    assert register(auth_client, url="http://hooks.example.com/hook").status_code == 400


def test_endpoints_per_user_are_capped(auth_client, settings):
    settings.WEBHOOK_MAX_ENDPOINTS_PER_USER = 2
    assert [register(auth_client).status_code for _ in range(3)] == [201, 201, 409]
    assert WebhookEndpoint.objects.count() == 2


def test_rotate_secret_replaces_it(auth_client):
    first = register(auth_client).json()
    # when
    rotated = auth_client.post(f"/api/v1/webhooks/{first['id']}/rotate-secret")
    # then
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != first["secret"]
    assert webhook_secret_open(WebhookEndpoint.objects.get(pk=first["id"])) == rotated.json()["secret"]


def test_other_users_endpoints_are_not_found(auth_client, other_user):
    endpoint_id = register(auth_client).json()["id"]
    stranger = client_for(other_user)
    assert stranger.get("/api/v1/webhooks").json()["results"] == []
    assert stranger.delete(f"/api/v1/webhooks/{endpoint_id}").status_code == 404
    assert stranger.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret").status_code == 404
    assert stranger.get(f"/api/v1/webhooks/{endpoint_id}/deliveries").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint_id).exists()


def test_delete_removes_the_endpoint(auth_client, user):
    endpoint_id = register(auth_client).json()["id"]
    assert auth_client.delete(f"/api/v1/webhooks/{endpoint_id}").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert auth_client.delete(f"/api/v1/webhooks/{endpoint_id}").status_code == 404
    assert AuditEvent.objects.filter(event_type=AuditEventType.WEBHOOK_ENDPOINT_DELETED, actor=user).exists()


def test_anonymous_callers_are_refused(api_client):
    assert register(api_client).status_code == 401
