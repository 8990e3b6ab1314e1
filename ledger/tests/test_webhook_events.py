"""The ledger's webhook events: a dispute's every step reaches both parties' endpoints, signed."""

import pytest

from accounts.webhooks.models import WebhookEvent
from accounts.webhooks.services import webhook_endpoint_create
from ledger.services import dispute_open, dispute_reject, dispute_reverse, dispute_take

pytestmark = pytest.mark.django_db


def test_dispute_steps_are_sent_to_both_parties(
    user, other_user, paid, moderator, webhook_receiver, django_capture_on_commit_callbacks, assert_reconciled
):
    # given both parties subscribe to dispute.updated at the same receiver
    _, secret = webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["dispute.updated"])
    webhook_endpoint_create(owner=other_user, url=webhook_receiver.url + "?payee", events=["dispute.updated"])
    webhook_receiver.secret = secret
    # when the payer opens a dispute, a moderator takes it and reverses half of it
    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Not received")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_take(moderator=moderator, dispute_id=dispute.pk)
    with django_capture_on_commit_callbacks(execute=True):
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk, amount="20.00", reason="Half delivered")
    # then each party heard of each step, with its own view
    payer = [r for r in webhook_receiver.received if r["path"] == "/hooks/vaultpay"]
    payee = [r for r in webhook_receiver.received if r["path"] == "/hooks/vaultpay?payee"]
    assert [r["event"]["data"]["status"] for r in payer] == ["open", "under_review", "resolved_partial"]
    assert [r["event"]["data"]["status"] for r in payee] == ["open", "under_review", "resolved_partial"]
    assert all(r["verified"] for r in payer)
    decided = payer[-1]["event"]["data"]
    assert decided["dispute_id"] == str(dispute.pk) and decided["transaction_id"] == str(paid.pk)
    assert (decided["amount"], decided["reversed_amount"], decided["opened_by_you"]) == ("40.00", "20.00", True)
    assert payee[-1]["event"]["data"]["opened_by_you"] is False
    assert len({r["event"]["id"] for r in webhook_receiver.received}) == 6  # one id per event
    assert_reconciled()


def test_a_rejected_dispute_is_sent_once_per_party(
    user, other_user, paid, moderator, webhook_receiver, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["dispute.updated"])
    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Not received")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_reject(moderator=moderator, dispute_id=dispute.pk, reason="Delivered")
    assert [e["data"]["status"] for e in webhook_receiver.events_of("dispute.updated")] == ["open", "rejected"]
    assert webhook_receiver.events_of("dispute.updated")[-1]["data"]["decision_reason"] == "Delivered"
    assert WebhookEvent.objects.filter(user=other_user).count() == 0  # the payee has no endpoint
