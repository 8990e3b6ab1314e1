"""No moderator decides on their own KYC submission, neither in the service nor from the console."""

import pytest
from django.test import Client

from audit.models import AuditEvent, AuditEventType
from kyc.exceptions import KycOwnSubmission
from kyc.models import DocumentType, KycStatus
from kyc.services import kyc_approve, kyc_reject, kyc_submit
from kyc.tests.conftest import PDF
from kyc.tests.factories import StaffUserFactory
from vaultpay.money import currency_for
from wallets.models import LimitTier, Wallet
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_submission(db):
    """A moderator who opened a wallet and submitted their own identity document."""
    moderator = StaffUserFactory()
    wallet_create(owner=moderator, currency=currency_for("USD"))
    submission = kyc_submit(user=moderator, document_type=DocumentType.PASSPORT, document_number="M1", content=PDF)
    return moderator, submission


def refusals(submission):
    return AuditEvent.objects.filter(
        event_type=AuditEventType.MODERATION_OWN_CASE_REFUSED, target_id=str(submission.pk)
    ).values_list("actor_id", "new_values")


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_moderator_cannot_decide_own_submission(own_submission, decide):
    moderator, submission = own_submission
    # when
    with pytest.raises(KycOwnSubmission):
        if decide == "approve":
            kyc_approve(submission=submission, moderator=moderator)
        else:
            kyc_reject(submission=submission, moderator=moderator, reason="looks fine to me")
    # then nothing changed: still pending, limits not raised
    submission.refresh_from_db()
    assert submission.status == KycStatus.PENDING
    assert Wallet.objects.get(owner=moderator).limit_tier == LimitTier.UNVERIFIED
    # and the attempt is on record
    assert list(refusals(submission)) == [(moderator.pk, {"attempted": f"kyc.{decide}", "why": "own_submission"})]


def test_another_moderator_may_approve_it(own_submission):
    _, submission = own_submission
    kyc_approve(submission=submission, moderator=StaffUserFactory())
    submission.refresh_from_db()
    assert submission.status == KycStatus.APPROVED


def test_console_says_why(own_submission):
    moderator, submission = own_submission
    client = Client()
    client.force_login(moderator)
    response = client.post(f"/admin/kyc/kycsubmission/{submission.pk}/approve/", follow=True)
    assert "cannot decide on your own KYC submission" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == KycStatus.PENDING
