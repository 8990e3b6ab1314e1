"""kyc.decided: the decision reaches the user's endpoint, in the decision's transaction."""

import pytest

from accounts.webhooks.models import WebhookEvent
from accounts.webhooks.services import webhook_endpoint_create
from kyc.models import DocumentType
from kyc.services import kyc_approve, kyc_reject, kyc_submit
from kyc.tests.conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(user, wallet):
    return kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1234567", content=PDF)


def test_approval_is_sent_signed(user, submission, moderator, webhook_receiver, django_capture_on_commit_callbacks):
    _, webhook_receiver.secret = webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["kyc.decided"])
    with django_capture_on_commit_callbacks(execute=True):
        kyc_approve(submission=submission, moderator=moderator)
    [received] = webhook_receiver.received
    assert received["verified"]
    assert received["event"]["type"] == "kyc.decided"
    assert received["event"]["data"] == {"submission_id": str(submission.pk), "decision": "approved", "reason": ""}


def test_rejection_carries_the_reason(
    user, submission, moderator, webhook_receiver, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["kyc.decided", "transaction.posted"])
    with django_capture_on_commit_callbacks(execute=True):
        kyc_reject(submission=submission, moderator=moderator, reason="Blurred photo")
    assert [e["data"]["reason"] for e in webhook_receiver.events_of("kyc.decided")] == ["Blurred photo"]


def test_a_decision_that_fails_after_the_event_leaves_no_event(
    user, submission, moderator, monkeypatch, webhook_receiver, django_capture_on_commit_callbacks
):
    from accounts.webhooks.services import webhook_event_emit

    webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=["kyc.decided"])

    def emit_then_fail(**kwargs):
        webhook_event_emit(**kwargs)
        raise RuntimeError("the decision's transaction fails after the event was written")

    monkeypatch.setattr("kyc.services.webhook_event_emit", emit_then_fail)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        kyc_approve(submission=submission, moderator=moderator)
    assert not WebhookEvent.objects.exists()
    assert webhook_receiver.received == []
