"""The console's ledger pages as a moderator reads them: newest first, major units, linked objects,
dispute decisions on the page, the audit history, the dashboard's figures."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.models import Transaction, TransactionKind
from ledger.services import dispute_open, dispute_reverse
from ledger.tests.conftest import fund, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db):
    staff = UserFactory()
    user_set_role(user=staff, role=Role.MODERATOR)
    return staff


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_transactions_are_listed_newest_first_in_major_units(moderator, user, wallet, other_wallet):
    first = fund(user, 1000)
    second = pay(user, other_wallet, 250)

    page = console(moderator).get("/admin/ledger/transaction/").content.decode()

    assert page.index(second.reference) < page.index(first.reference)
    assert "2.50 USD" in page and "10.00 USD" in page


def test_a_transaction_page_links_its_wallets_entries_and_reversal(moderator, user, wallet, other_wallet):
    paid = pay_after_funding(user, other_wallet)
    dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Wrong person")
    dispute_reverse(moderator=moderator, dispute_id=dispute.pk)
    reversal = Transaction.objects.get(kind=TransactionKind.REVERSAL)

    page = console(moderator).get(f"/admin/ledger/transaction/{paid.pk}/change/").content.decode()
    dispute_page = console(moderator).get(f"/admin/ledger/dispute/{dispute.pk}/change/").content.decode()

    assert f"/admin/wallets/wallet/{wallet.pk}/change/" in page and wallet.public_id in page
    assert other_wallet.public_id in page and "40.00 USD" in page
    assert f"/admin/ledger/transaction/{reversal.pk}/change/" in page
    assert f"/admin/ledger/transaction/{reversal.pk}/change/" in dispute_page
    assert "40.00 USD" in dispute_page and "4000" not in dispute_page


def pay_after_funding(user, to_wallet) -> Transaction:
    fund(user, 10000)
    return pay(user, to_wallet, 4000)


def test_entries_show_the_wallet_public_id(moderator, user, wallet):
    fund(user, 1000)

    page = console(moderator).get("/admin/ledger/entry/").content.decode()

    assert wallet.public_id in page and "10.00 USD" in page


def test_the_reverse_form_shows_the_receivers_available_balance(moderator, user, wallet, other_user, other_wallet):
    paid = pay_after_funding(user, other_wallet)
    pay(other_user, wallet, 3000)  # the receiver keeps only 10.00 of the 40.00
    dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Never arrived")

    page = console(moderator).get(f"/admin/ledger/dispute/{dispute.pk}/reverse/").content.decode()

    assert "Receiver&#x27;s available balance" in page or "Receiver's available balance" in page
    assert f"{other_wallet.public_id}</a>: 10.00 USD" in page
    assert "short by 30.00 USD" in page


def test_take_on_the_dispute_page(moderator, user, wallet, other_wallet):
    dispute = dispute_open(user=user, transaction_id=pay_after_funding(user, other_wallet).pk, reason="Not me")

    console(moderator).post(f"/admin/ledger/dispute/{dispute.pk}/take/")

    dispute.refresh_from_db()
    assert dispute.status == "under_review" and dispute.assigned_to == moderator


def test_evidence_opens_inline_uncached_and_audited(moderator, user, wallet, other_wallet, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evidence = SimpleUploadedFile("shot.png", b"\x89PNG\r\n\x1a\nimage-bytes")
    paid = pay_after_funding(user, other_wallet)
    dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Not me", evidence=evidence)

    response = console(moderator).get(f"/admin/ledger/dispute/{dispute.pk}/evidence/")

    assert response["Content-Disposition"].startswith("inline;")
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_EVIDENCE_VIEWED, actor=moderator).exists()


def test_history_shows_the_objects_audit_events(moderator, user, wallet):
    client = console(moderator)
    client.post(f"/admin/wallets/wallet/{wallet.pk}/freeze/", {"reason": "Suspicious logins"})

    page = client.get(f"/admin/wallets/wallet/{wallet.pk}/history/").content.decode()

    assert "Wallet frozen" in page and "Suspicious logins" in page and "Wallet created" in page
    assert "change history" not in page


def test_an_audit_events_target_opens_its_object(moderator, user, wallet):
    event = AuditEvent.objects.get(event_type=AuditEventType.WALLET_CREATED, target_id=str(wallet.pk))

    page = console(moderator).get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()

    assert f'href="/admin/wallets/wallet/{wallet.pk}/change/"' in page


def test_the_dashboard_counts_wallets_and_volumes_and_says_what_it_counts(moderator, user, wallet, other_wallet):
    fund(user, 1250)

    page = console(moderator).get("/admin/").content.decode()

    assert "Today&#x27;s volume" in page or "Today's volume" in page
    assert "since 00:00 UTC" in page
    assert '<a href="/admin/wallets/wallet/">2</a>' in page and "2 active" in page
    assert page.count("12.50 USD") == 2  # today and all time


def test_view_site_opens_the_api_docs_and_the_favicon_exists(moderator):
    client = console(moderator)

    page = client.get("/admin/").content.decode()
    favicon = client.get("/favicon.ico")

    assert 'href="/api/v1/docs/"' in page
    assert favicon.status_code == 301 and favicon["Location"].endswith("vaultpay/favicon.svg")
    assert 'rel="icon"' in page
