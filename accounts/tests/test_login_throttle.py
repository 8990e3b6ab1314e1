"""Login failures are counted per account and IP and per IP: guessing is throttled, the owner is not locked out."""

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db

ATTACKER_IP = "203.0.113.66"
OWNER_IP = "127.0.0.1"


@pytest.fixture(autouse=True)
def _one_window():
    with time_machine.travel(timezone.now(), tick=False):
        yield


def _login(client, email: str, password: str, ip: str):
    return client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_guesses_from_another_ip_never_lock_the_owner_out(api_client, settings):
    # given: the probe, ten wrong passwords for alice from another address
    settings.RATELIMIT_LOGIN_ACCOUNT_IP = "10/h"
    alice = UserFactory(email="alice@example.com")
    for _ in range(10):
        assert _login(api_client, alice.email, "guess", ATTACKER_IP).status_code == 401
    # when / then: the guesser is refused, even with the right password, from their address
    refused = _login(api_client, alice.email, DEFAULT_PASSWORD, ATTACKER_IP)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    # and alice, from her own address with the right password, gets in
    assert _login(api_client, alice.email, DEFAULT_PASSWORD, OWNER_IP).status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED, target_id=str(alice.pk)).count() == 10


def test_one_ip_spraying_many_accounts_is_throttled_per_ip(api_client, settings):
    settings.RATELIMIT_LOGIN_IP = "5/h"
    users = UserFactory.create_batch(6)
    for user in users[:5]:
        assert _login(api_client, user.email, "guess", ATTACKER_IP).status_code == 401
    assert _login(api_client, users[5].email, DEFAULT_PASSWORD, ATTACKER_IP).status_code == 429
    assert _login(api_client, users[5].email, DEFAULT_PASSWORD, OWNER_IP).status_code == 200


def test_successful_logins_are_not_counted(api_client, settings):
    settings.RATELIMIT_LOGIN_ACCOUNT_IP = "2/h"
    settings.RATELIMIT_LOGIN_IP = "2/h"
    user = UserFactory()
    for _ in range(5):
        assert _login(api_client, user.email, DEFAULT_PASSWORD, OWNER_IP).status_code == 200
