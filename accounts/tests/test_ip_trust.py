from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from accounts.client_ip import client_ip, ip_hash
from accounts.models import KnownIp, KnownIpStatus
from accounts.tests.conftest import post_money, transfer_body
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType
from conftest import client_for

pytestmark = pytest.mark.django_db

NEW_IP = "203.0.113.7"


def _login(api_client, user, ip: str, capture):
    with capture(execute=True):
        response = api_client.post(
            "/api/v1/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json", REMOTE_ADDR=ip
        )
    assert response.status_code == 200, response.json()
    return response


def _confirm_link() -> str:
    body = mail.outbox[-1].body
    return next(line for line in body.splitlines() if "/security/ips/confirm?token=" in line).strip()


def test_signup_ip_is_trusted_for_money(api_client, assert_reconciled):
    response = api_client.post(
        "/api/v1/auth/signup",
        {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "password": "s3cure-passw0rd"},
        format="json",
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 201
    known = KnownIp.objects.get(user__email="ann@example.com")
    assert known.status == KnownIpStatus.TRUSTED
    assert known.ip_hash == ip_hash("198.51.100.4") and "198.51.100.4" not in known.ip_hash


def test_login_from_a_new_ip_records_its_hash_and_emails_a_link(
    api_client, user, django_capture_on_commit_callbacks, funded_wallet, other_wallet, assert_reconciled
):
    _login(api_client, user, NEW_IP, django_capture_on_commit_callbacks)
    known = KnownIp.objects.get(user=user, ip_hash=ip_hash(NEW_IP))
    assert known.status == KnownIpStatus.PENDING
    assert not KnownIp.objects.filter(ip_hash__contains="203.0.113").exists()
    assert mail.outbox[-1].to == [user.email] and NEW_IP in mail.outbox[-1].body
    assert AuditEvent.objects.filter(event_type=AuditEventType.IP_NEW, actor=user).exists()

    # money from the new IP is refused, with how long to wait; reads still work
    client = client_for(user)
    for operation, body in (
        ("transfer", transfer_body(other_wallet)),
        ("withdraw", {"amount": "1.00", "currency": "USD", "pin": "4826"}),
        ("deposit", {"amount": "1.00", "currency": "USD"}),
    ):
        refused = post_money(client, operation, body, ip=NEW_IP)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ip_not_trusted")
        assert 0 < refused.json()["error"]["details"]["retry_after"] <= 30 * 60 + 1
    assert client.get("/api/v1/wallet", REMOTE_ADDR=NEW_IP).status_code == 200
    # the trusted address keeps working
    assert post_money(client, "transfer", transfer_body(other_wallet)).status_code == 201
    assert_reconciled()


def test_a_new_ip_becomes_usable_after_30_minutes(
    api_client, user, django_capture_on_commit_callbacks, funded_wallet, other_wallet, assert_reconciled
):
    _login(api_client, user, NEW_IP, django_capture_on_commit_callbacks)
    client = client_for(user)
    with time_machine.travel(timezone.now() + timedelta(minutes=29, seconds=50), tick=False):
        assert post_money(client, "transfer", transfer_body(other_wallet), ip=NEW_IP).status_code == 403
    with time_machine.travel(timezone.now() + timedelta(minutes=30, seconds=1), tick=False):
        assert post_money(client, "transfer", transfer_body(other_wallet), ip=NEW_IP).status_code == 201
        listed = client.get("/api/v1/security/ips").json()
        assert {entry["status"] for entry in listed} == {"trusted"}
    assert_reconciled()


def test_the_emailed_link_confirms_the_ip_at_once(
    api_client, client, user, django_capture_on_commit_callbacks, funded_wallet, other_wallet, assert_reconciled
):
    _login(api_client, user, NEW_IP, django_capture_on_commit_callbacks)
    link = _confirm_link()
    assert link.startswith("http://localhost:8000/security/ips/confirm?token=")
    path = link.removeprefix("http://localhost:8000")
    token = path.split("token=", 1)[1]
    # opening the link shows a button; pressing it (a POST, no login needed: the token is the proof) confirms
    assert client.get(path).status_code == 200
    confirmed = client.post(path, {"token": token})
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.content.decode()
    assert KnownIp.objects.get(user=user, ip_hash=ip_hash(NEW_IP)).status == KnownIpStatus.TRUSTED
    assert client.post(path, {"token": token}).status_code == 400  # single use
    assert post_money(client_for(user), "transfer", transfer_body(other_wallet), ip=NEW_IP).status_code == 201
    assert AuditEvent.objects.filter(event_type=AuditEventType.IP_CONFIRMED, actor=user).exists()
    assert_reconciled()


def test_a_token_used_from_an_unseen_ip_is_held_like_a_login(
    user, django_capture_on_commit_callbacks, funded_wallet, other_wallet
):
    with django_capture_on_commit_callbacks(execute=True):
        refused = post_money(client_for(user), "transfer", transfer_body(other_wallet), ip="192.0.2.99")
    assert refused.json()["error"]["code"] == "ip_not_trusted"
    assert KnownIp.objects.get(user=user, ip_hash=ip_hash("192.0.2.99")).status == KnownIpStatus.PENDING
    assert len(mail.outbox) == 1


def test_list_and_revoke_known_ips(user, other_user, funded_wallet, other_wallet, assert_reconciled):
    client = client_for(user)
    listed = client.get("/api/v1/security/ips").json()
    assert len(listed) == 1 and listed[0]["status"] == "trusted"
    assert set(listed[0]) == {"id", "status", "first_seen", "last_seen", "trusted_from", "confirmed_at"}
    # someone else's address is not found, not forbidden
    theirs = KnownIp.objects.get(user=other_user)
    assert client.delete(f"/api/v1/security/ips/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/v1/security/ips/{listed[0]['id']}").status_code == 204
    refused = post_money(client, "transfer", transfer_body(other_wallet))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ip_not_trusted")
    assert AuditEvent.objects.filter(event_type=AuditEventType.IP_REVOKED, actor=user).exists()
    assert_reconciled()


def test_logging_in_again_from_a_revoked_ip_starts_a_new_confirmation(
    api_client, user, django_capture_on_commit_callbacks
):
    known = KnownIp.objects.get(user=user)
    client_for(user).delete(f"/api/v1/security/ips/{known.pk}")
    _login(api_client, user, "127.0.0.1", django_capture_on_commit_callbacks)
    known.refresh_from_db()
    assert known.status == KnownIpStatus.PENDING and len(mail.outbox) == 1


def test_login_from_a_known_ip_sends_no_email(api_client, user, django_capture_on_commit_callbacks):
    _login(api_client, user, "127.0.0.1", django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1", "10.0.0.1"),  # no proxy trusted: the header is ignored
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.1", "203.0.113.9"),  # our proxy appended the real client
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "10.0.0.1", "203.0.113.9"),
        (1, "", "10.0.0.1", "10.0.0.1"),  # header missing: fall back to the socket
        (1, "not-an-ip", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_ip_trusts_only_as_many_forwarded_entries_as_proxies(settings, proxies, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_new_user_without_known_ips_is_held(django_capture_on_commit_callbacks):
    user = UserFactory(trusted_ip="")
    client = client_for(user)
    client.post("/api/v1/wallet", {"currency": "USD"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_money(client, "deposit", {"amount": "1.00", "currency": "USD"})
    assert response.json()["error"]["code"] == "ip_not_trusted"
