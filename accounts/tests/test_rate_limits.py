import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from accounts.tests.conftest import post_money, transfer_body
from accounts.tests.factories import DEFAULT_PASSWORD, DEFAULT_PIN
from conftest import client_for

pytestmark = pytest.mark.django_db

# A Redis nobody listens on: connection refused at once.
_CLOSED_PORT_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


@pytest.fixture(autouse=True)
def _one_window():
    """Stop the clock: rate-limit windows are fixed, and one turning over mid-test would reset the count."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def redis_down():
    # Restored before the suite's cache-clearing fixture tears down, so that one still reaches a cache.
    with override_settings(CACHES=_CLOSED_PORT_CACHE):
        yield


def _signup(client, n: int, ip: str = "198.51.100.1"):
    body = {"first_name": "A", "last_name": "B", "email": f"rl{n}@example.com", "password": "s3cure-passw0rd"}
    return client.post("/api/v1/auth/signup", body, format="json", REMOTE_ADDR=ip)


def _assert_limited(response):
    assert response.status_code == 429, response.json()
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["details"]["retry_after"] == int(response.headers["Retry-After"])


def test_signup_is_limited_per_ip(api_client, settings):
    settings.RATELIMIT_SIGNUP = "2/h"
    assert _signup(api_client, 1).status_code == 201
    assert _signup(api_client, 2).status_code == 201
    _assert_limited(_signup(api_client, 3))
    assert _signup(api_client, 4, ip="198.51.100.2").status_code == 201  # another address is not affected


def test_pin_endpoints_are_limited_per_user(settings, user):
    settings.RATELIMIT_PIN = "2/h"
    client = client_for(user)
    for _ in range(2):
        client.post("/api/v1/pin/change", {"current_pin": DEFAULT_PIN, "new_pin": "5829"}, format="json")
    _assert_limited(client.post("/api/v1/pin/change", {"current_pin": "5829", "new_pin": "6039"}, format="json"))


def test_money_endpoints_are_limited_per_user(settings, user, funded_wallet, other_wallet, assert_reconciled):
    settings.RATELIMIT_MONEY = "2/m"
    client = client_for(user)
    assert post_money(client, "transfer", transfer_body(other_wallet)).status_code == 201
    assert post_money(client, "transfer", transfer_body(other_wallet)).status_code == 201
    _assert_limited(post_money(client, "transfer", transfer_body(other_wallet)))
    assert_reconciled()


# --- The cache (Redis) is down ----------------------------------------------------------------


def test_redis_down_login_fails_closed_with_503(api_client, user, redis_down):
    response = api_client.post("/api/v1/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_redis_down_signup_fails_closed_with_503(api_client, redis_down):
    response = _signup(api_client, 9)
    assert (response.status_code, response.json()["error"]["code"]) == (503, "service_unavailable")


def test_redis_down_pin_endpoints_fail_closed_with_503(user, redis_down):
    response = client_for(user).post(
        "/api/v1/pin/change", {"current_pin": DEFAULT_PIN, "new_pin": "5829"}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (503, "service_unavailable")


def test_redis_down_money_keeps_working_with_pin_lockout_and_idempotency(
    user, funded_wallet, other_wallet, redis_down, assert_reconciled
):
    client = client_for(user)
    key = "redis-down-transfer-1"
    sent = post_money(client, "transfer", transfer_body(other_wallet), key=key)
    assert sent.status_code == 201, sent.json()
    replay = post_money(client, "transfer", transfer_body(other_wallet), key=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    wrong = post_money(client, "withdraw", {"amount": "1.00", "currency": "USD", "pin": "0001"})
    assert wrong.json()["error"]["code"] == "pin_invalid"
    deposit = post_money(client, "deposit", {"amount": "1.00", "currency": "USD"})
    assert deposit.status_code == 201
    other_wallet.refresh_from_db()
    assert other_wallet.balance == 100
    assert_reconciled()
