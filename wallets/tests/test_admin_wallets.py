"""The wallet pages of the console: user wallets first, major units, links, freeze with a reason, overrides."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.tests.conftest import fund
from wallets.limit_overrides import wallet_limit_override_for, wallet_limit_override_set
from wallets.models import SystemWalletPurpose, Wallet, WalletStatus
from wallets.services import wallet_system_get

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/wallets/wallet/"


def console(role: Role) -> tuple[Client, object]:
    staff = UserFactory()
    user_set_role(user=staff, role=role)
    client = Client()
    client.force_login(staff)
    return client, staff


def test_the_list_shows_user_wallets_and_hides_system_wallets_behind_a_filter(wallet):
    system = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    client, _ = console(Role.MODERATOR)

    users_only = client.get(CHANGELIST).content.decode()
    systems = client.get(CHANGELIST + "?kind=system").content.decode()

    assert wallet.public_id in users_only and system.public_id not in users_only
    assert system.public_id in systems and wallet.public_id not in systems
    assert '<td class="field-display_tier">—</td>' in systems  # a system wallet has no limit tier


def test_the_wallet_page_shows_major_units_links_and_latest_entries(user, wallet):
    deposit = fund(user, 7950)
    client, _ = console(Role.MODERATOR)

    page = client.get(f"{CHANGELIST}{wallet.pk}/change/").content.decode()

    assert "79.50 USD" in page and "7950" not in page
    assert f"/admin/accounts/user/{user.pk}/change/" in page
    assert f"/admin/ledger/transaction/{deposit.pk}/change/" in page and deposit.reference in page
    assert f"/admin/kyc/kycsubmission/?user__id__exact={user.pk}" in page


def test_a_moderator_freezes_and_unfreezes_with_a_reason_kept_and_audited(wallet):
    client, moderator = console(Role.MODERATOR)

    client.post(f"{CHANGELIST}{wallet.pk}/freeze/", {"reason": "Card reported stolen"})
    wallet.refresh_from_db()
    assert (wallet.status, wallet.status_reason) == (WalletStatus.FROZEN, "Card reported stolen")
    assert "Card reported stolen" in client.get(f"{CHANGELIST}{wallet.pk}/change/").content.decode()

    client.post(f"{CHANGELIST}{wallet.pk}/unfreeze/", {"reason": "Owner confirmed by phone"})
    wallet.refresh_from_db()
    assert (wallet.status, wallet.status_reason) == (WalletStatus.ACTIVE, "Owner confirmed by phone")
    events = AuditEvent.objects.filter(target_type="wallets.wallet", target_id=str(wallet.pk), actor=moderator)
    assert [(e.event_type, e.new_values["reason"]) for e in events.order_by("id")] == [
        (AuditEventType.WALLET_FROZEN, "Card reported stolen"),
        (AuditEventType.WALLET_UNFROZEN, "Owner confirmed by phone"),
    ]


def test_a_freeze_without_a_reason_changes_nothing(wallet):
    client, _ = console(Role.MODERATOR)

    client.post(f"{CHANGELIST}{wallet.pk}/freeze/", {"reason": "  "})

    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    assert not AuditEvent.objects.filter(event_type=AuditEventType.WALLET_FROZEN).exists()


def test_an_admin_overrides_a_wallets_limits_with_a_reason_and_expiry(wallet):
    client, admin = console(Role.ADMIN)
    expires = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")

    client.post(
        f"{CHANGELIST}{wallet.pk}/limits/",
        {"limit-daily": "25000.00", "limit-monthly": "", "limit-expires_at": expires, "limit-reason": "Car purchase"},
    )

    wallet.refresh_from_db()
    limits = wallet_limit_override_for(wallet)
    assert (limits.daily, limits.monthly) == (2_500_000, 200_000)  # the tier's monthly limit stays
    event = AuditEvent.objects.get(event_type=AuditEventType.WALLET_LIMIT_OVERRIDDEN, actor=admin)
    assert event.new_values["daily"] == "25000.00" and event.new_values["reason"] == "Car purchase"
    assert "Car purchase" in client.get(f"{CHANGELIST}{wallet.pk}/change/").content.decode()


def test_a_moderator_cannot_override_limits(wallet):
    client, _ = console(Role.MODERATOR)

    response = client.post(f"{CHANGELIST}{wallet.pk}/limits/", {"limit-daily": "99999", "limit-reason": "x"})

    assert response.status_code == 403
    wallet.refresh_from_db()
    assert wallet.limit_override_daily is None


def test_an_override_ends_at_its_expiry_and_can_be_cleared(wallet):
    _, admin = console(Role.ADMIN)
    soon = timezone.now() + timedelta(hours=1)
    wallet = wallet_limit_override_set(
        wallet_id=wallet.pk, actor=admin, daily_minor=1_000_000, monthly_minor=None, reason="Trip", expires_at=soon
    )
    assert wallet_limit_override_for(wallet).daily == 1_000_000
    assert wallet_limit_override_for(wallet, now=soon + timedelta(seconds=1)) is None

    client, _ = console(Role.ADMIN)
    client.post(f"{CHANGELIST}{wallet.pk}/limits/", {"limit-reason": "Trip cancelled", "_clear": "1"})

    assert wallet_limit_override_for(Wallet.objects.get(pk=wallet.pk)) is None
    assert AuditEvent.objects.filter(event_type=AuditEventType.WALLET_LIMIT_OVERRIDE_CLEARED).count() == 1
