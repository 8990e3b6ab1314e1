"""End to end in a real browser: a moderator approves a KYC submission, reverses a disputed transfer
and freezes a wallet, at the 1400 px width the console is laid out for.

Playwright drives Debian's Chromium (/usr/bin/chromium: `apt-get install chromium`); no browser is
downloaded. Screenshots go to artifacts/browser/ (git-ignored). The README's "For moderators"
pictures (docs/console-*.png) are refreshed from them when missing or with
VAULTPAY_UPDATE_DOCS_SCREENSHOTS=1.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from kyc.models import DocumentType, KycStatus
from kyc.services import kyc_submit
from kyc.tests.test_browser_moderator import CHROMIUM, CHROMIUM_ARGS, id_card_png
from ledger.models import DisputeStatus, Transaction, TransactionKind
from ledger.services import dispute_open
from ledger.tests.conftest import fund, pay
from vaultpay.money import currency_for
from wallets.models import WalletStatus
from wallets.services import wallet_create

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "browser"
DOCS = Path(settings.BASE_DIR) / "docs"
# Screenshot taken in the walk -> the README picture it becomes.
DOCS_PICTURES = {
    "console-1-dashboard.png": "console-dashboard.png",
    "console-2-kyc-review.png": "console-kyc-review.png",
    "console-4-dispute-reverse.png": "console-dispute-reverse.png",
    "console-6-wallet-frozen.png": "console-wallet-frozen.png",
}

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium: apt-get install chromium"),
]


@pytest.fixture
def people(db):
    """Ada (pending KYC, paid Bob 40.00 and disputes it), Bob (the receiver) and a moderator."""
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    bob = UserFactory(email="bob@example.com", first_name="Bob", last_name="Babbage")
    ada_wallet = wallet_create(owner=ada, currency=currency_for("USD"))
    bob_wallet = wallet_create(owner=bob, currency=currency_for("USD"))
    submission = kyc_submit(
        user=ada, document_type=DocumentType.PASSPORT, document_number="P7654321", content=id_card_png()
    )
    fund(ada, 10_000)
    paid = pay(ada, bob_wallet, 4_000)
    dispute = dispute_open(user=ada, transaction_id=paid.pk, reason="I sent it to the wrong Bob")
    moderator = UserFactory(email="moderator@example.com", first_name="Mo", last_name="Derator")
    user_set_role(user=moderator, role=Role.MODERATOR)
    return {
        "ada_wallet": ada_wallet, "bob_wallet": bob_wallet, "submission": submission,
        "dispute": dispute, "moderator": moderator,
    }  # fmt: skip


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def assert_nothing_clipped(page) -> None:
    """At 1400 px, no list or form is wider than the page: nothing hides behind a scroll bar."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


@pytest.mark.django_db(transaction=True)
def test_a_moderator_approves_kyc_reverses_a_dispute_and_freezes_a_wallet(live_server, people, assert_reconciled):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", people["moderator"].email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")

        # the dashboard
        expect(page.locator("#card-pending-kyc .vp-figure")).to_have_text("1")
        expect(page.locator("#card-open-disputes .vp-figure")).to_have_text("1")
        expect(page.locator("#card-wallets .vp-figure")).to_have_text("2")
        expect(page.locator("#card-today-volume")).to_contain_text("140.00 USD")
        shot(page, "console-1-dashboard.png")

        # KYC: the queue, the review page, approval
        page.click("#card-pending-kyc a")
        assert_nothing_clipped(page)
        page.click(f"a[href*='{people['submission'].pk}']")
        expect(page.locator("#kyc-review")).to_be_visible()
        assert_nothing_clipped(page)
        shot(page, "console-2-kyc-review.png")
        page.click("#kyc-approve")
        expect(page.locator("ul.messagelist li.success")).to_contain_text("approved")
        shot(page, "console-3-kyc-approved.png")

        # the dispute: take it, reverse it in full; the receiver's balance is on the form. (No ORM
        # calls inside the Playwright block: its event loop forbids them; the database is read after.)
        page.goto(f"{live_server.url}/admin/")
        page.click("#card-open-disputes a")
        assert_nothing_clipped(page)
        page.click(f"a[href*='{people['dispute'].pk}/change/']")
        page.click("#dispute-take")
        expect(page.locator("ul.messagelist li.success")).to_contain_text("Under review")
        page.click("#dispute-reverse")
        expect(page.locator("#dispute-receiver-balance")).to_contain_text("40.00 USD")
        expect(page.locator("#dispute-receiver-balance")).to_contain_text("covers a full reversal")
        page.fill("#id_reason", "Confirmed with both parties")
        shot(page, "console-4-dispute-reverse.png")
        page.click("#dispute-decide")
        expect(page.locator("ul.messagelist li.success")).to_contain_text("Resolved: reversed")
        reversal_reference = page.locator(".field-reversals_links a").inner_text().split()[0]
        shot(page, "console-5-dispute-reversed.png")

        # the wallet: from the transaction, to Bob's wallet, frozen with a reason
        page.click(".field-transaction_link a")
        page.click(f".field-to_link a:has-text('{people['bob_wallet'].public_id}')")
        expect(page.locator(".field-display_balance")).to_contain_text("0.00 USD")
        expect(page.locator(".field-latest_entries")).to_contain_text(reversal_reference)
        page.fill("#wallet-status textarea", "Receiver unreachable while the dispute is checked")
        page.click("#wallet-freeze")
        expect(page.locator("ul.messagelist li.success")).to_contain_text("frozen")
        expect(page.locator(".field-status_reason")).to_contain_text("Receiver unreachable")
        assert_nothing_clipped(page)
        shot(page, "console-6-wallet-frozen.png")

        # its history is the audit trail
        page.click("a.historylink")
        expect(page.locator("#audit-history")).to_contain_text("Wallet frozen")
        shot(page, "console-7-wallet-history.png")
        browser.close()

    people["submission"].refresh_from_db()
    people["dispute"].refresh_from_db()
    people["ada_wallet"].refresh_from_db()
    people["bob_wallet"].refresh_from_db()
    assert Transaction.objects.get(kind=TransactionKind.REVERSAL).reference == reversal_reference
    assert people["submission"].status == KycStatus.APPROVED
    assert people["dispute"].status == DisputeStatus.RESOLVED_REVERSED
    assert (people["ada_wallet"].balance, people["bob_wallet"].balance) == (10_000, 0)
    assert people["bob_wallet"].status == WalletStatus.FROZEN
    assert_reconciled()
    if os.environ.get("VAULTPAY_UPDATE_DOCS_SCREENSHOTS") == "1" or not all(
        (DOCS / name).exists() for name in DOCS_PICTURES.values()
    ):
        for taken, picture in DOCS_PICTURES.items():
            shutil.copyfile(ARTIFACTS / taken, DOCS / picture)
