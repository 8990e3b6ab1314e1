"""Signed deliveries to a real HTTP receiver: at least once, one event id, retried, bounded, safe."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from accounts.webhooks.delivery import webhook_retry_delay
from accounts.webhooks.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEvent
from accounts.webhooks.services import webhook_endpoint_create
from accounts.webhooks.tasks import deliver_webhook, retry_due_webhooks
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from ledger.tests.conftest import fund, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(user, webhook_receiver):
    """`user`'s endpoint at the receiver, for transaction.posted; the receiver knows the secret."""
    endpoint, secret = webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["transaction.posted"])
    webhook_receiver.secret = secret
    return endpoint


def make_due():
    """Jump past every retry delay and claim lease: what the beat task finds once that time has come."""
    WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.PENDING).update(next_attempt_at=timezone.now())


def test_each_party_gets_its_signed_event(
    user, wallet, other_user, other_wallet, subscribed, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    # given the receiver of the transfer has an endpoint too
    other_endpoint, other_secret = webhook_endpoint_create(
        owner=other_user, url=webhook_receiver.url + "?who=other", events=["transaction.posted"]
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
        txn = pay(user, other_wallet, 1250)
    # then the sender got two events (deposit, transfer out), each verified with its secret
    mine = [r for r in webhook_receiver.received if r["path"] == "/hooks/vaultpay"]
    assert [r["event"]["data"]["kind"] for r in mine] == ["deposit", "transfer"]
    assert all(r["verified"] for r in mine)
    sent = mine[1]["event"]
    assert sent["type"] == "transaction.posted"
    assert sent["data"] | {"posted_at": None} == {
        "transaction_id": str(txn.pk),
        "reference": txn.reference,
        "kind": "transfer",
        "direction": "out",
        "amount": "12.50",
        "currency": "USD",
        "wallet": wallet.public_id,
        "balance_after": "87.50",
        "reverses": None,
        "posted_at": None,
    }
    # and the payee's event, signed with the payee's secret (the receiver holds the sender's: unverified)
    theirs = [r for r in webhook_receiver.received if r["path"] == "/hooks/vaultpay?who=other"]
    assert [(r["event"]["data"]["direction"], r["event"]["data"]["balance_after"]) for r in theirs] == [("in", "12.50")]
    assert not theirs[0]["verified"]
    webhook_receiver.secret = other_secret
    delivery = WebhookDelivery.objects.get(endpoint=other_endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(other_user).post(
            f"/api/v1/webhooks/{other_endpoint.pk}/deliveries/{delivery.pk}/redeliver"
        )
    assert response.status_code == 200
    assert webhook_receiver.received[-1]["verified"]
    assert webhook_receiver.received[-1]["event"]["id"] == theirs[0]["event"]["id"]  # same event, same id
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.SUCCEEDED}


def test_a_relay_run_twice_emits_one_event(
    user, wallet, other_wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    from ledger.tasks import send_transaction_receipts

    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    deposit_id = webhook_receiver.received[0]["event"]["data"]["transaction_id"]
    # when the broker hands the receipts task over again
    with django_capture_on_commit_callbacks(execute=True):
        send_transaction_receipts.apply(args=[[deposit_id]])
    # then
    assert WebhookEvent.objects.count() == 1
    assert len(webhook_receiver.received) == 1


def test_no_endpoint_no_event_rows(user, wallet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    assert not WebhookEvent.objects.exists()


def test_a_receiver_down_gets_the_event_when_it_is_back(
    user, wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    # given the receiver is killed before the delivery
    webhook_receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "ConnectionRefused" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)  # backoff, not a hot loop
    # a retry before the backoff has passed sends nothing
    assert retry_due_webhooks.apply().get() == 0
    # when the receiver is back and the retry is due
    webhook_receiver.start()
    make_due()
    assert retry_due_webhooks.apply().get() == 1
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    assert [r["event"]["id"] for r in webhook_receiver.received] == [str(delivery.event_id)]
    assert webhook_receiver.received[0]["verified"]


def test_a_worker_killed_mid_send_leaves_it_pending_and_it_is_sent_again_with_the_same_id(
    user, wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    from accounts.webhooks import delivery as delivery_module

    real_post = delivery_module.webhook_post

    def post_then_die(**kwargs):
        real_post(**kwargs)  # the request reached the receiver...
        raise SystemExit("worker killed")  # ...and the worker died before recording the answer

    # when
    with mock.patch.object(delivery_module, "webhook_post", post_then_die):
        with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
            fund(user, 10000)
    # then the delivery is still pending (claimed for one lease), never marked sent
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.PENDING and delivery.attempts == 1
    # a second worker gets the task while the lease runs: it does not send twice at once
    assert deliver_webhook.apply(args=[str(delivery.pk)]).get() is None
    # once the lease has run out, the beat task sends it again, with the same event id
    make_due()
    assert retry_due_webhooks.apply().get() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    ids = [r["event"]["id"] for r in webhook_receiver.received]
    assert ids == [str(delivery.event_id)] * 2
    assert webhook_receiver.received[0]["event"] == webhook_receiver.received[1]["event"]


def test_answers_are_stored_only_in_part_and_redirects_are_not_followed(
    user, wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    webhook_receiver.status = 302
    webhook_receiver.headers_extra = {"Location": "http://10.0.0.1/internal"}
    webhook_receiver.answer = b"x" * 5000
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)  # a failure, to be retried
    assert delivery.last_response == "x" * 300
    assert len(webhook_receiver.received) == 1  # the redirect target was never asked


def test_a_name_resolving_to_loopback_is_refused_at_delivery_in_production(
    user, wallet, subscribed, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    # given an endpoint whose name now resolves to a loopback address (DNS rebinding), and production rules
    WebhookEndpoint.objects.filter(pk=subscribed.pk).update(url=f"https://localhost:{webhook_receiver.port}/hook")
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    # when
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    # then nothing was sent
    delivery = WebhookDelivery.objects.get()
    assert webhook_receiver.received == []
    assert (delivery.status, delivery.last_error) == ("pending", "The host resolves to a private or reserved address.")


def test_retries_back_off_exponentially_and_stop_after_the_window(
    user, wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    assert [webhook_retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhook_retry_delay(30) == timedelta(hours=6)
    webhook_receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    # when the three days are almost over, the next failure gives up
    WebhookDelivery.objects.update(give_up_at=timezone.now() + timedelta(seconds=10))
    make_due()
    retry_due_webhooks.apply()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, 500)
    assert retry_due_webhooks.apply().get() == 0


def test_repeated_failures_disable_the_endpoint_and_tell_its_owner(
    user, wallet, subscribed, webhook_receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    webhook_receiver.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    with django_capture_on_commit_callbacks(execute=True):  # the disabling email leaves after commit
        for _ in range(2):
            make_due()
            retry_due_webhooks.apply()
    # then
    subscribed.refresh_from_db()
    assert not subscribed.is_active and subscribed.consecutive_failures == 3
    assert Notification.objects.filter(user=user, kind="webhook_disabled").count() == 1
    assert [m.subject for m in mail.outbox if m.to == [user.email]][-1] == "Your webhook endpoint was disabled"
    assert AuditEvent.objects.filter(event_type=AuditEventType.WEBHOOK_ENDPOINT_DISABLED).count() == 1
    # a disabled endpoint is sent nothing more, and is not redelivered to
    make_due()
    assert retry_due_webhooks.apply().get() == 0
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(f"/api/v1/webhooks/{subscribed.pk}/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == 409 and response.json()["error"]["code"] == "webhook_endpoint_disabled"
    assert len(webhook_receiver.received) == 3


def test_deliveries_are_listed_for_the_owner_only(
    user, other_user, wallet, subscribed, webhook_receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)
    page = client_for(user).get(f"/api/v1/webhooks/{subscribed.pk}/deliveries").json()
    assert [(d["event_type"], d["status"], d["attempts"]) for d in page["results"]] == [
        ("transaction.posted", "succeeded", 1)
    ]
    assert page["results"][0]["event_id"] == webhook_receiver.received[0]["event"]["id"]
    delivery_id = page["results"][0]["id"]
    redeliver = f"/api/v1/webhooks/{subscribed.pk}/deliveries/{delivery_id}/redeliver"
    assert client_for(other_user).post(redeliver).status_code == 404
    assert (
        client_for(user).post(f"/api/v1/webhooks/{subscribed.pk}/deliveries/{subscribed.pk}/redeliver").status_code
        == 404
    )
    assert len(webhook_receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_a_transfer_through_the_api_reaches_both_endpoints(
    user, wallet, other_user, other_wallet, webhook_receiver
):
    # given both parties registered through the API (no test transaction: every commit is real)
    from ledger.tests.helpers import post_money

    for who, path in ((user, "/a"), (other_user, "/b")):
        response = client_for(who).post(
            "/api/v1/webhooks",
            {"url": f"http://127.0.0.1:{webhook_receiver.port}{path}", "events": ["transaction.posted"]},
            format="json",
        )
        assert response.status_code == 201, response.json()
        webhook_receiver.secrets_by_path[path] = response.json()["secret"]
    fund(user, 10000)
    # when
    response = post_money(
        client_for(user), "transfer", {"to_wallet": other_wallet.public_id, "amount": "5.00", "currency": "USD"}
    )
    assert response.status_code == 201, response.json()
    # then each party's endpoint got the transfer, signed with its own secret
    transfers = [r for r in webhook_receiver.received if r["event"]["data"]["kind"] == "transfer"]
    assert sorted((r["path"], r["event"]["data"]["direction"]) for r in transfers) == [("/a", "out"), ("/b", "in")]
    assert all(r["verified"] for r in transfers)
    assert all(r["event"]["data"]["transaction_id"] == response.json()["id"] for r in transfers)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.SUCCEEDED}
