"""End to end in a real browser: a moderator reviews a KYC document and approves it.

Playwright drives Debian's Chromium (/usr/bin/chromium, installed by .ci/run); no browser is
downloaded. Screenshots go to artifacts/browser/ (git-ignored); the README's pictures come from
vaultpay/tests/test_browser_console.py.
"""

import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from kyc.models import DocumentType, KycStatus, KycSubmission
from kyc.services import kyc_submit
from kyc.tests.factories import StaffUserFactory
from vaultpay.money import currency_for
from wallets.services import wallet_create

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "browser"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium: apt-get install chromium"),
]


def id_card_png(width: int = 320, height: int = 200) -> bytes:
    """A small, valid PNG that looks like a card: the browser renders it as an image."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            band = y < 40
            photo = 20 <= x < 110 and 60 <= y < 180
            row += bytes((30, 64, 175) if band else (148, 163, 184) if photo else (241, 245, 249))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db(transaction=True)
def test_moderator_reviews_and_approves_a_document_in_the_browser(live_server):
    # given a user with a pending submission, and a moderator (staff with the KYC permissions)
    applicant = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    wallet_create(owner=applicant, currency=currency_for("USD"))
    document = id_card_png()
    submission = kyc_submit(
        user=applicant, document_type=DocumentType.PASSPORT, document_number="P7654321", content=document
    )
    moderator = StaffUserFactory(email="moderator@example.com")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # when the moderator logs in, opens the submission, views the document and approves it
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", moderator.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.click("input[type=submit]")

        dashboard = page.locator("#moderator-dashboard")
        sync_api.expect(dashboard).to_be_visible()
        sync_api.expect(page.locator("#card-pending-kyc .vp-figure")).to_have_text("1")
        sync_api.expect(page.locator("#card-open-disputes .vp-figure")).to_have_text("0")
        page.screenshot(path=str(ARTIFACTS / "1-dashboard.png"), full_page=True)

        page.click("#card-pending-kyc a")
        page.click(f"a[href*='{submission.pk}']")
        sync_api.expect(page.locator("#kyc-review")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "2-review.png"), full_page=True)

        with context.expect_page() as opened:
            page.click("#kyc-view-document")
        viewer = opened.value
        viewer.wait_for_load_state()
        shown = viewer.request.get(viewer.url)
        assert shown.body() == document
        assert "no-store" in shown.headers["cache-control"]
        viewer.screenshot(path=str(ARTIFACTS / "3-document.png"))
        viewer.close()

        page.click("#kyc-approve")
        sync_api.expect(page.locator("ul.messagelist li.success")).to_contain_text("approved")
        page.screenshot(path=str(ARTIFACTS / "4-approved.png"), full_page=True)

        # then the user's own API shows the verified tier
        api = playwright.request.new_context(base_url=live_server.url)
        token = api.post("/api/v1/auth/token", data={"email": applicant.email, "password": DEFAULT_PASSWORD}).json()
        limits = api.get("/api/v1/wallet/limits", headers={"Authorization": f"Bearer {token['access']}"})
        assert limits.status == 200
        assert limits.json()["tier"] == "verified"
        assert limits.json()["daily"]["limit"] == "10000.00"
        api.dispose()
        browser.close()

    submission.refresh_from_db()
    assert submission.status == KycStatus.APPROVED
    assert submission.reviewed_by == moderator
    assert KycSubmission.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[applicant.email]]
