"""The moderator console: review queue, document view, decisions, dashboard."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client

from audit.models import AuditEvent, AuditEventType
from kyc.models import DocumentType, KycDocument, KycStatus, KycSubmission
from kyc.services import kyc_reject, kyc_submit
from kyc.tests.conftest import JPEG, PDF, PNG
from kyc.tests.factories import StaffUserFactory
from wallets.models import LimitTier, Wallet, WalletStatus

pytestmark = pytest.mark.django_db


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submission(user, wallet):
    return kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1234567", content=PDF)


def test_pending_submissions_wait_oldest_first(moderator, submission, other_user, other_wallet):
    later = kyc_submit(user=other_user, document_type=DocumentType.NATIONAL_ID, document_number="N2", content=PNG)

    listed = list(console(moderator).get("/admin/kyc/kycsubmission/").context["cl"].result_list)

    assert [s.pk for s in listed] == [submission.pk, later.pk]


def document_url(submission) -> str:
    return f"/admin/kyc/kycsubmission/{submission.pk}/document/"


def test_queue_lists_pending_submissions_first(moderator, submission, other_user, other_wallet):
    decided = kyc_submit(user=other_user, document_type=DocumentType.NATIONAL_ID, document_number="N1", content=PNG)
    kyc_reject(submission=decided, moderator=moderator, reason="Blurry")
    response = console(moderator).get("/admin/kyc/kycsubmission/")
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [s.status for s in listed] == [KycStatus.PENDING, KycStatus.REJECTED]
    filtered = console(moderator).get("/admin/kyc/kycsubmission/?status__exact=rejected&q=N1")
    assert list(filtered.context["cl"].result_list) == [decided]


def test_moderator_sees_the_decrypted_document_uncached_and_audited(moderator, submission):
    response = console(moderator).get(document_url(submission))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    viewed = AuditEvent.objects.get(event_type=AuditEventType.KYC_DOCUMENT_VIEWED)
    assert (viewed.actor, viewed.target_id, viewed.new_values) == (moderator, str(submission.pk), {"outcome": "shown"})


def test_document_view_needs_the_view_document_permission(submission, user):
    staff_without = StaffUserFactory(permissions=["kyc.view_kycsubmission", "kyc.review_kycsubmission"])
    assert console(staff_without).get(document_url(submission)).status_code == 403
    change_page = console(staff_without).get(f"/admin/kyc/kycsubmission/{submission.pk}/change/")
    assert b"kyc-view-document" not in change_page.content
    # the owner is not staff: the console sends them to its login page
    assert console(user).get(document_url(submission)).status_code == 302
    assert Client().get(document_url(submission)).status_code == 302
    assert not AuditEvent.objects.filter(event_type=AuditEventType.KYC_DOCUMENT_VIEWED).exists()


def test_tampered_ciphertext_shows_a_clear_admin_error(moderator, submission):
    # given one byte of the stored ciphertext is flipped
    document = KycDocument.objects.get(submission=submission)
    path = default_storage.path(document.storage_name)
    with open(path, "r+b") as stored:
        stored.seek(20)
        byte = stored.read(1)
        stored.seek(20)
        stored.write(bytes([byte[0] ^ 0xFF]))
    # when
    response = console(moderator).get(document_url(submission), follow=True)
    # then
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/admin/kyc/kycsubmission/{submission.pk}/change/"
    assert "failed its integrity check" in response.content.decode()
    viewed = AuditEvent.objects.get(event_type=AuditEventType.KYC_DOCUMENT_VIEWED)
    assert viewed.new_values == {"outcome": "unreadable", "failed_part": "ciphertext"}


def test_missing_ciphertext_is_an_admin_error_too(moderator, submission):
    default_storage.delete(KycDocument.objects.get(submission=submission).storage_name)
    response = console(moderator).get(document_url(submission), follow=True)
    assert response.status_code == 200
    assert "failed its integrity check" in response.content.decode()


def test_approve_button_approves_and_raises_the_tier(moderator, submission, wallet, django_capture_on_commit_callbacks):
    page = console(moderator).get(f"/admin/kyc/kycsubmission/{submission.pk}/change/")
    assert b'id="kyc-approve"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = console(moderator).post(f"/admin/kyc/kycsubmission/{submission.pk}/approve/")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == KycStatus.APPROVED
    assert Wallet.objects.get(pk=wallet.pk).limit_tier == LimitTier.VERIFIED
    assert len(mail.outbox) == 1


def test_reject_button_requires_a_reason(moderator, submission):
    url = f"/admin/kyc/kycsubmission/{submission.pk}/reject/"
    response = console(moderator).post(url, {"reason": "  "}, follow=True)
    assert "Give the reason" in response.content.decode()
    assert KycSubmission.objects.get(pk=submission.pk).status == KycStatus.PENDING
    console(moderator).post(url, {"reason": "Name does not match"})
    submission.refresh_from_db()
    assert (submission.status, submission.rejection_reason) == (KycStatus.REJECTED, "Name does not match")


def test_deciding_needs_the_review_permission(submission):
    viewer = StaffUserFactory(permissions=["kyc.view_kycsubmission", "kyc.view_kycdocument"])
    assert console(viewer).post(f"/admin/kyc/kycsubmission/{submission.pk}/approve/").status_code == 403
    listing = console(viewer).get("/admin/kyc/kycsubmission/")
    assert "approve_selected" not in listing.content.decode()
    assert KycSubmission.objects.get(pk=submission.pk).status == KycStatus.PENDING


def test_bulk_actions_approve_and_reject_with_reason(moderator, user, wallet, other_user, other_wallet):
    first = kyc_submit(user=user, document_type=DocumentType.PASSPORT, document_number="P1", content=PDF)
    second = kyc_submit(user=other_user, document_type=DocumentType.PASSPORT, document_number="P2", content=JPEG)
    client = console(moderator)
    client.post("/admin/kyc/kycsubmission/", {"action": "approve_selected", "_selected_action": [first.pk]})
    confirm = client.post("/admin/kyc/kycsubmission/", {"action": "reject_selected", "_selected_action": [second.pk]})
    assert confirm.status_code == 200
    assert b"Reject these submissions?" in confirm.content
    client.post(
        "/admin/kyc/kycsubmission/",
        {"action": "reject_selected", "_selected_action": [second.pk], "apply": "1", "reason": "Unreadable"},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == KycStatus.APPROVED
    assert (second.status, second.rejection_reason) == (KycStatus.REJECTED, "Unreadable")


def test_dashboard_is_the_console_home(moderator, submission, other_wallet):
    Wallet.objects.filter(pk=other_wallet.pk).update(status=WalletStatus.FROZEN)
    client = Client()
    login = client.post(
        "/admin/login/?next=/admin/", {"username": moderator.email, "password": "correct-horse-battery"}, follow=True
    )
    assert login.redirect_chain[-1][0] == "/admin/"
    dashboard = login.context["dashboard"]
    assert dashboard["pending_kyc"] == 1
    assert dashboard["frozen_wallets"] == 1
    assert dashboard["open_disputes"] == 0
    assert dashboard["today_volume"] == []
    html = login.content.decode()
    assert 'id="card-open-disputes"' in html
    assert "Pending KYC" in html
