"""Operations: Prometheus metrics behind a token, the probes, JSON logs with the request id."""

import json
import logging
import time

import pytest
from django.core.cache import cache
from prometheus_client import REGISTRY

from accounts.models import EmailDelivery, EmailDeliveryStatus
from accounts.tests.conftest import post_money
from accounts.tests.factories import UserFactory
from vaultpay.celery import REQUEST_ID_HEADER, _adopt_request_id, _drop_request_id
from vaultpay.health import WORKER_HEARTBEAT_KEY
from vaultpay.log_format import JsonFormatter
from vaultpay.request_id import RequestIdLogFilter, current_request_id

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_are_not_public(client, settings):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_show_requests_database_cache_and_pending_work(client, user):
    EmailDelivery.objects.create(
        event_key="e1", recipient=user, to_address=user.email, template="deposit", status=EmailDeliveryStatus.PENDING
    )
    client.get("/api/v1/users/me")

    page = scrape(client)

    assert "django_http_requests_latency_seconds_by_view_method_bucket" in page
    assert 'django_http_responses_total_by_status_total{status="401"}' in page
    assert "django_db_execute_total" in page
    assert "vaultpay_receipts_pending 0.0" in page
    assert "vaultpay_webhooks_due 0.0" in page
    age = next(line for line in page.splitlines() if line.startswith("vaultpay_email_oldest_pending_age_seconds "))
    assert float(age.split()[1]) >= 0


def test_postings_replays_and_refusals_are_counted(auth_client, wallet, django_capture_on_commit_callbacks):
    deposits, replays = sample("vaultpay_postings_total", kind="deposit"), sample("vaultpay_idempotent_replays_total")
    refused = sample("vaultpay_refusals_total", code="amount_not_positive")

    with django_capture_on_commit_callbacks(execute=True):  # postings are counted once committed
        post_money(auth_client, "deposit", {"amount": "5.00", "currency": "USD"}, key="same-key")
        post_money(auth_client, "deposit", {"amount": "5.00", "currency": "USD"}, key="same-key")
    post_money(auth_client, "deposit", {"amount": "0", "currency": "USD"})

    assert sample("vaultpay_postings_total", kind="deposit") == deposits + 1
    assert sample("vaultpay_idempotent_replays_total") == replays + 1
    assert sample("vaultpay_refusals_total", code="amount_not_positive") == refused + 1


def test_pin_and_login_lockouts_are_counted(auth_client, api_client, wallet, other_wallet, settings):
    settings.RATELIMIT_LOGIN_ACCOUNT_IP = "2/h"
    pins, logins = sample("vaultpay_lockouts_total", kind="pin"), sample("vaultpay_lockouts_total", kind="login")
    body = {"to_wallet": other_wallet.public_id, "amount": "1.00", "currency": "USD", "pin": "0000"}
    for _ in range(3):
        post_money(auth_client, "transfer", body)
    victim = UserFactory()
    for _ in range(4):
        api_client.post("/api/v1/auth/token", {"email": victim.email, "password": "wrong"}, format="json")

    assert sample("vaultpay_lockouts_total", kind="pin") == pins + 1
    assert sample("vaultpay_lockouts_total", kind="login") == logins + 1  # one lockout, however many refusals


def test_livez_answers_without_asking_dependencies(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert client.get("/livez", HTTP_HOST="10.0.0.7:8000").json() == {"status": "ok"}


def test_readyz_skips_the_worker_when_tasks_run_eagerly(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = client.get("/readyz").json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "skipped", "worker": "skipped"}


def test_readyz_needs_a_worker_heartbeat_newer_than_a_minute(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.set(WORKER_HEARTBEAT_KEY, str(time.time() - 90))
    stale = client.get("/readyz")
    cache.set(WORKER_HEARTBEAT_KEY, str(time.time()))
    fresh = client.get("/readyz")

    assert stale.status_code == 503 and stale.json()["worker"] == "error"
    assert fresh.status_code == 200 and fresh.json()["broker"] == "ok"


def test_json_logs_carry_the_request_id_and_no_ip(client, caplog):
    caplog.set_level(logging.INFO, logger="vaultpay.access")
    client.get("/api/v1/users/me", HTTP_X_REQUEST_ID="req-77", REMOTE_ADDR="203.0.113.9")
    record = next(r for r in caplog.records if r.name == "vaultpay.access")
    RequestIdLogFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert line["request_id"] == "req-77"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/users/me", 401)
    assert line["ip_hash"] and "203.0.113.9" not in json.dumps(line)


def test_django_request_lines_name_their_request(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    client.get("/api/v1/users/me", HTTP_X_REQUEST_ID="req-88")
    record = next(r for r in caplog.records if r.name == "django.request")

    RequestIdLogFilter().filter(record)

    assert record.request_id == "req-88"


def test_a_celery_task_logs_under_the_request_id_it_was_queued_with():
    class FakeRequest:
        headers = None

    class FakeTask:
        request = FakeRequest()

    task = FakeTask()
    setattr(task.request, REQUEST_ID_HEADER, "req-99")

    _adopt_request_id(task=task, task_id="task-1")
    during = current_request_id()
    _drop_request_id(task=task)

    assert during == "req-99" and current_request_id() == "-"


def test_the_heartbeat_check_command_fails_without_a_fresh_heartbeat():
    from django.core.management import CommandError, call_command

    cache.delete(WORKER_HEARTBEAT_KEY)
    with pytest.raises(CommandError):
        call_command("worker_heartbeat_check", "--max-age", "60")
    from vaultpay.celery import worker_heartbeat

    worker_heartbeat()
    call_command("worker_heartbeat_check", "--max-age", "60")
