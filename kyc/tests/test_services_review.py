import pytest
from django.core import mail

from audit.models import AuditEvent, AuditEventType
from kyc.exceptions import KycRejectionReasonRequired, KycSubmissionNotPending
from kyc.models import DocumentType, KycStatus
from kyc.services import kyc_approve, kyc_reject, kyc_submit
from kyc.tests.conftest import PDF
from wallets.models import LimitTier, Wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(user, wallet):
    return kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1234567", content=PDF)


def test_approval_raises_the_tier_audits_and_emails(submission, moderator, wallet, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        kyc_approve(submission=submission, moderator=moderator)
    # then
    submission.refresh_from_db()
    assert submission.status == KycStatus.APPROVED
    assert submission.reviewed_by == moderator
    wallet.refresh_from_db()
    assert wallet.limit_tier == LimitTier.VERIFIED
    tier_event = AuditEvent.objects.get(event_type=AuditEventType.WALLET_LIMIT_TIER_CHANGED)
    assert (tier_event.actor, tier_event.old_values, tier_event.new_values) == (
        moderator,
        {"limit_tier": "unverified"},
        {"limit_tier": "verified"},
    )
    assert AuditEvent.objects.filter(event_type=AuditEventType.KYC_APPROVED, target_id=str(submission.pk)).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submission.user.email]
    assert "verified" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_rejection_needs_a_reason_and_emails_it(submission, moderator, django_capture_on_commit_callbacks):
    with pytest.raises(KycRejectionReasonRequired):
        kyc_reject(submission=submission, moderator=moderator, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        kyc_reject(submission=submission, moderator=moderator, reason="The photo page is cut off")
    submission.refresh_from_db()
    assert submission.status == KycStatus.REJECTED
    assert "The photo page is cut off" in mail.outbox[0].body
    assert Wallet.objects.get(owner=submission.user).limit_tier == LimitTier.UNVERIFIED


def test_only_pending_submissions_are_decided(submission, moderator):
    kyc_approve(submission=submission, moderator=moderator)
    with pytest.raises(KycSubmissionNotPending):
        kyc_reject(submission=submission, moderator=moderator, reason="Too late")
    with pytest.raises(KycSubmissionNotPending):
        kyc_approve(submission=submission, moderator=moderator)


def test_failed_tier_upgrade_rolls_the_approval_back(submission, moderator, wallet, monkeypatch):
    # given the tier change fails half-way through the approval
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("kyc.services.wallet_set_limit_tier", broken)
    # when
    with pytest.raises(RuntimeError):
        kyc_approve(submission=submission, moderator=moderator)
    # then nothing changed
    submission.refresh_from_db()
    assert submission.status == KycStatus.PENDING
    assert not AuditEvent.objects.filter(event_type=AuditEventType.KYC_APPROVED).exists()
    assert len(mail.outbox) == 0


def test_a_new_wallet_keeps_the_verified_tier(submission, moderator, user, wallet):
    from vaultpay.money import currency_for
    from wallets.services import wallet_close, wallet_create

    kyc_approve(submission=submission, moderator=moderator)
    wallet_close(owner=user)
    assert wallet_create(owner=user, currency=currency_for("EUR")).limit_tier == LimitTier.VERIFIED
