import pytest
from django.core import mail

from kyc.models import DocumentType
from kyc.services import kyc_approve, kyc_submit
from kyc.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def test_a_broker_outage_does_not_undo_or_break_the_decision(
    user, wallet, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    # given the task queue is unreachable
    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("accounts.tasks.send_email_delivery.delay", unreachable)
    submission = kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=PDF)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        kyc_approve(submission=submission, moderator=moderator)
    # then the approval stands and no email went out
    submission.refresh_from_db()
    assert submission.status == "approved"
    assert mail.outbox == []
