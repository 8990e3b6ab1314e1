"""Receipts through a real Celery worker process on the Redis broker and the PostgreSQL test database."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import EmailDelivery, EmailDeliveryStatus
from accounts.tasks import send_email_delivery
from conftest import client_for, new_key
from ledger.tests.conftest import fund
from ledger.tests.helpers import TEST_PIN
from vaultpay.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)

# Only a guard against a hung run; the tests wait for states, never for time.
GIVE_UP_AFTER_SECONDS = 120


def _broker_or_skip() -> str:
    broker = celery_app.conf.broker_url or ""
    if not broker.startswith(("redis://", "rediss://")):
        pytest.skip("needs Redis as the Celery broker: set REDIS_URL=redis://... to run it")
    try:
        redis.Redis.from_url(broker, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"the Redis broker is unreachable: {exc}")
    return broker


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    host = db["HOST"] or db["OPTIONS"].get("host") or "localhost"
    port = db["PORT"] or db["OPTIONS"].get("port") or 5432
    if host.startswith("/"):  # a Unix socket directory (the embedded default) travels as libpq's host
        return f"postgres://{auth}@/{db['NAME']}?host={host}&port={port}"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, mail_dir: Path, log_path: Path, broker: str):
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "vaultpay.settings",
            "DATABASE_URL": _test_database_url(),  # the worker must see what the test commits
            "REDIS_URL": settings.REDIS_URL or broker,
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "accounts.tests.mail_backends.RecordingEmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
        env.pop("BREVO_API_KEY", None)
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "celery", "-A", "vaultpay", "worker", "--pool=prefork", "--concurrency=1"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
        command += [f"--hostname=vaultpay-test-{uuid.uuid4().hex[:8]}@%h"]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, predicate, what: str):
        deadline = time.monotonic() + GIVE_UP_AFTER_SECONDS
        while not predicate():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}) before {what}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}:\n{self.log()}")
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


@pytest.fixture
def worker(mail_dir, tmp_path):
    broker = _broker_or_skip()
    celery_app.conf.task_always_eager = False  # this process publishes; the worker consumes
    celery_app.control.purge()  # nothing left over from an earlier run
    started = Worker(mail_dir, tmp_path / "worker.log", broker)
    yield started
    started.stop()


def sent_messages(mail_dir: Path) -> list[dict]:
    path = mail_dir / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def post_transfer(sender, to_wallet):
    response = client_for(sender).post(
        "/api/v1/transactions/transfer",
        {"to_wallet": to_wallet.public_id, "amount": "12.50", "currency": "USD", "pin": TEST_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def receipts_sent(txn_id: str):
    def check() -> bool:
        deliveries = EmailDelivery.objects.filter(event_key__startswith=f"txn:{txn_id}:")
        return deliveries.count() == 2 and all(d.status == EmailDeliveryStatus.SENT for d in deliveries)

    return check


@pytest.fixture
def funded_pair(user, wallet, other_user, other_wallet):
    """Requested before `worker`: the deposit's receipt is sent in-process, only the transfer's go through it."""
    fund(user, 10000)
    return user, other_user, other_wallet


def test_worker_sends_both_receipts_once(funded_pair, worker, mail_dir, assert_reconciled):
    sender, receiver, receiver_wallet = funded_pair

    txn_id = post_transfer(sender, receiver_wallet)

    worker.wait_until(receipts_sent(txn_id), "both receipts were recorded as sent")
    sent = sent_messages(mail_dir)
    assert sorted(m["to"][0] for m in sent) == sorted([sender.email, receiver.email])
    assert {m["subject"] for m in sent} == {
        f"You sent 12.50 USD to {receiver.display_name}",
        f"You received 12.50 USD from {sender.display_name}",
    }
    assert all(m["pid"] != os.getpid() for m in sent)  # sent by the worker, not by this process

    # The broker delivers both email tasks again: the worker runs them and sends nothing.
    for delivery in EmailDelivery.objects.filter(event_key__startswith=f"txn:{txn_id}:"):
        send_email_delivery.delay(delivery.pk)
    worker.wait_until(lambda: worker.log().count("'already_sent'") == 2, "the redelivered tasks ran")
    assert len(sent_messages(mail_dir)) == 2
    assert_reconciled()


def test_worker_killed_mid_send_still_sends_each_receipt_once(funded_pair, mail_dir, worker, assert_reconciled):
    sender, receiver, receiver_wallet = funded_pair
    (mail_dir / "hang-once").touch()

    txn_id = post_transfer(sender, receiver_wallet)
    hung = mail_dir / "hung.pid"
    worker.wait_until(hung.exists, "a send was in progress")
    worker.wait_until(lambda: hung.read_text().strip() != "", "the hung process wrote its id")
    # SIGKILL the pool process in the middle of the send: its DB transaction (holding the
    # delivery row) dies with it, and acks_late + reject_on_worker_lost put the message back.
    killed_pid = int(hung.read_text())
    os.kill(killed_pid, signal.SIGKILL)

    worker.wait_until(receipts_sent(txn_id), "both receipts were recorded as sent after the kill")
    sent = sent_messages(mail_dir)
    assert sorted(m["to"][0] for m in sent) == sorted([sender.email, receiver.email])
    assert len({m["delivery"] for m in sent}) == 2
    assert killed_pid not in {m["pid"] for m in sent}  # the killed process never got to send
    assert "WorkerLostError" in worker.log()
    # The killed attempt's DB transaction died with its process, so each row shows one attempt.
    deliveries = EmailDelivery.objects.filter(event_key__startswith=f"txn:{txn_id}:")
    assert sorted(d.attempts for d in deliveries) == [1, 1]
    assert worker.process.poll() is None  # the worker itself survived and replaced its pool process
    assert_reconciled()
