"""The dispute console: take, reject with reason, reverse (with the @suspense choice), evidence."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import EmailDelivery, EmailDeliveryStatus
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.models import Dispute, DisputeStatus, Transaction, TransactionKind
from ledger.services import dispute_open
from ledger.tests.conftest import grant, pay
from vaultpay.money import currency_for
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/ledger/dispute/"


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def dispute(user, paid, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\nimage-bytes")
    return dispute_open(user=user, transaction_id=paid.pk, reason="Not me", evidence=evidence)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_changelist_shows_deadline_and_highlights_overdue(moderator, dispute, settings):
    assert "(overdue)" not in console(moderator).get(CHANGELIST).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=settings.DISPUTE_REVIEW_DAYS, hours=1)):
        page = console(moderator).get(CHANGELIST).content.decode()
        overdue_only = console(moderator).get(CHANGELIST + "?overdue=yes").content.decode()
    assert "(overdue)" in page
    assert str(dispute.pk)[:8] in overdue_only


def test_take_action(moderator, dispute):
    response = console(moderator).post(CHANGELIST, {"action": "take", "_selected_action": [str(dispute.pk)]})
    assert response.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.UNDER_REVIEW


def test_reject_form(moderator, dispute):
    url = f"{CHANGELIST}{dispute.pk}/reject/"
    assert "Reject dispute" in console(moderator).get(url).content.decode()

    response = console(moderator).post(url, {"reason": "Authorised with PIN"})

    assert response.status_code == 302
    decided = Dispute.objects.get(pk=dispute.pk)
    assert (decided.status, decided.decision_reason) == (DisputeStatus.REJECTED, "Authorised with PIN")


def test_reverse_form_partial(moderator, dispute, assert_reconciled):
    response = console(moderator).post(f"{CHANGELIST}{dispute.pk}/reverse/", {"amount": "15.00", "reason": "ok"})

    assert response.status_code == 302
    decided = Dispute.objects.get(pk=dispute.pk)
    assert (decided.status, decided.reversed_amount) == (DisputeStatus.RESOLVED_PARTIAL, 1500)
    assert_reconciled()


def test_reverse_form_shortfall_needs_the_suspense_choice(moderator, dispute, other_user, assert_reconciled):
    pay(other_user, wallet_create(owner=UserFactory(), currency=currency_for("USD")), 3000)
    url = f"{CHANGELIST}{dispute.pk}/reverse/"

    refused = console(moderator).post(url, {"amount": ""})
    assert refused.status_code == 200
    assert any("cannot cover the reversal" in m for m in messages_of(refused))
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN

    covered = console(moderator).post(url, {"amount": "", "cover_from_suspense": "on"})
    assert covered.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).suspense_covered_amount == 3000
    assert_reconciled()


def test_reviewer_cannot_reverse(reviewer, dispute):
    response = console(reviewer).post(f"{CHANGELIST}{dispute.pk}/reverse/", {"amount": ""})
    assert response.status_code == 302
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


def test_staff_without_dispute_permissions_sees_nothing(dispute):
    staff = grant(UserFactory())
    assert console(staff).get(CHANGELIST).status_code == 403
    response = console(staff).post(CHANGELIST, {"action": "take", "_selected_action": [str(dispute.pk)]})
    assert response.status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


def test_evidence_download_is_decrypted_and_audited(moderator, dispute):
    response = console(moderator).get(f"{CHANGELIST}{dispute.pk}/evidence/")

    assert response.status_code == 200
    assert response.content == b"\x89PNG\r\n\x1a\nimage-bytes"
    assert response["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_EVIDENCE_VIEWED, actor=moderator).count() == 1


def test_change_page_offers_the_decisions(moderator, dispute):
    page = console(moderator).get(f"{CHANGELIST}{dispute.pk}/change/").content.decode()
    for action in ("take", "reject", "reverse", "evidence"):
        assert f"{dispute.pk}/{action}/" in page
    assert "Open evidence" in page


def test_email_resend_action_needs_its_permission(user, admin_user, django_capture_on_commit_callbacks):
    delivery = EmailDelivery.objects.create(
        event_key="e", recipient=user, to_address=user.email, template="deposit", status=EmailDeliveryStatus.FAILED
    )
    viewer = grant(UserFactory(), "accounts.view_emaildelivery")
    data = {"action": "resend", "_selected_action": [delivery.pk]}
    console(viewer).post("/admin/accounts/emaildelivery/", data)
    assert EmailDelivery.objects.get(pk=delivery.pk).status == EmailDeliveryStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        console(admin_user).post("/admin/accounts/emaildelivery/", data)
    assert EmailDelivery.objects.get(pk=delivery.pk).status == EmailDeliveryStatus.SENT
