"""Roles: the groups, set_role, and the matrix of what each role can and cannot do in the admin and the API."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.exceptions import RoleChangeForbidden
from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import user_set_role
from accounts.tests.conftest import post_money, transfer_body
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from ledger.models import Entry
from vaultpay.money import currency_for
from wallets.models import Wallet, WalletStatus
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db


def _with_role(role: Role):
    user = UserFactory()
    user_set_role(user=user, role=role)
    return user


def _console(role: Role) -> Client:
    client = Client()
    client.force_login(_with_role(role))
    return client


def test_each_role_is_a_group_holding_exactly_its_permissions():
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(wanted)


@pytest.mark.parametrize(
    ("role", "staff", "superuser"),
    [
        (Role.USER, False, False),
        (Role.MODERATOR, True, False),
        (Role.ADMIN, True, False),
        (Role.SUPER_ADMIN, True, True),
    ],
)
def test_set_role_command_sets_group_flags_and_is_audited(role, staff, superuser):
    user = UserFactory()
    call_command("set_role", user.email.upper(), role.value, stdout=io.StringIO())
    user.refresh_from_db()
    assert (user.role, user.is_staff, user.is_superuser) == (role, staff, superuser)
    assert list(user.groups.values_list("name", flat=True)) == [role.value]
    event = AuditEvent.objects.get(event_type=AuditEventType.ROLE_CHANGED, target_id=str(user.pk))
    assert event.new_values == {"role": role.value} and event.old_values == {"role": "user"}


def test_set_role_command_refuses_unknown_users_and_roles():
    with pytest.raises(CommandError):
        call_command("set_role", "nobody@example.com", "admin")
    with pytest.raises(CommandError):
        call_command("set_role", UserFactory().email, "root")


@pytest.mark.parametrize(
    ("actor_role", "from_role", "to_role", "allowed"),
    [
        (Role.MODERATOR, Role.USER, Role.MODERATOR, False),
        (Role.ADMIN, Role.USER, Role.MODERATOR, True),
        (Role.ADMIN, Role.MODERATOR, Role.USER, True),
        (Role.ADMIN, Role.USER, Role.ADMIN, False),
        (Role.ADMIN, Role.ADMIN, Role.USER, False),
        (Role.SUPER_ADMIN, Role.USER, Role.ADMIN, True),
        (Role.SUPER_ADMIN, Role.ADMIN, Role.MODERATOR, True),
    ],
)
def test_who_may_manage_whom(actor_role, from_role, to_role, allowed):
    actor, target = _with_role(actor_role), _with_role(from_role)
    if allowed:
        user_set_role(user=target, role=to_role, actor=actor)
        assert target.role == to_role
    else:
        with pytest.raises(RoleChangeForbidden):
            user_set_role(user=target, role=to_role, actor=actor)
        target.refresh_from_db()
        assert target.role == from_role


def test_nobody_changes_their_own_role():
    admin = _with_role(Role.SUPER_ADMIN)
    with pytest.raises(RoleChangeForbidden):
        user_set_role(user=admin, role=Role.USER, actor=admin)


# --- The console (Django admin) -----------------------------------------------------------------

CONSOLE_PAGES = ["/admin/", "/admin/accounts/user/", "/admin/wallets/wallet/", "/admin/audit/auditevent/"]


@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_plain_users_do_not_reach_the_console(page):
    response = _console(Role.USER).get(page)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.SUPER_ADMIN])
@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_staff_roles_read_users_wallets_and_the_audit_log(role, page):
    assert _console(role).get(page).status_code == 200


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.SUPER_ADMIN])
def test_user_page_shows_no_password_hash_and_no_pin_data(role, user):
    page = _console(role).get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert user.email in page
    assert user.password not in page
    assert user.transactionpin.pin_hash not in page and user.transactionpin.salt not in page


def _action(client: Client, url: str, action: str, pk: int, **extra):
    return client.post(url, {"action": action, "_selected_action": [str(pk)], "index": "0", **extra})


# The freeze and unfreeze actions ask for a reason first; this answers that step.
_WITH_REASON = {"apply": "1", "reason": "Reported stolen phone"}


@pytest.mark.parametrize(
    ("role", "can_freeze", "can_close"),
    [(Role.MODERATOR, True, False), (Role.ADMIN, True, True), (Role.SUPER_ADMIN, True, True)],
)
def test_wallet_actions_by_role(role, can_freeze, can_close, user):
    console = _console(role)
    wallet = wallet_create(owner=user, currency=currency_for("USD"))
    _action(console, "/admin/wallets/wallet/", "freeze_wallets", wallet.pk, **_WITH_REASON)
    wallet.refresh_from_db()
    assert (wallet.status == WalletStatus.FROZEN) is can_freeze
    _action(console, "/admin/wallets/wallet/", "unfreeze_wallets", wallet.pk, **_WITH_REASON)
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    _action(console, "/admin/wallets/wallet/", "close_wallets", wallet.pk)
    wallet.refresh_from_db()
    assert (wallet.status == WalletStatus.CLOSED) is can_close
    events = AuditEvent.objects.filter(target_type="wallets.wallet", target_id=str(wallet.pk))
    assert set(events.exclude(event_type=AuditEventType.WALLET_CREATED).values_list("actor_role", flat=True)) == {role}


def test_console_close_refuses_a_wallet_holding_money(funded_wallet):
    console = _console(Role.ADMIN)
    response = _action(console, "/admin/wallets/wallet/", "close_wallets", funded_wallet.pk)
    assert response.status_code == 302
    funded_wallet.refresh_from_db()
    assert funded_wallet.status == WalletStatus.ACTIVE


@pytest.mark.parametrize(
    ("role", "to_role", "allowed"),
    [
        (Role.MODERATOR, "make_moderator", False),
        (Role.ADMIN, "make_moderator", True),
        (Role.ADMIN, "make_admin", False),
        (Role.SUPER_ADMIN, "make_admin", True),
    ],
)
def test_role_actions_in_the_console(role, to_role, allowed):
    target = UserFactory()
    _action(_console(role), "/admin/accounts/user/", to_role, target.pk)
    target.refresh_from_db()
    assert (target.role != Role.USER) is allowed


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.SUPER_ADMIN])
def test_nobody_edits_balances_entries_or_audit_events(role, funded_wallet):
    console = _console(role)
    event = AuditEvent.objects.first()
    entry = Entry.objects.first()
    for url in (
        f"/admin/wallets/wallet/{funded_wallet.pk}/change/",
        f"/admin/ledger/entry/{entry.pk}/change/",
        f"/admin/audit/auditevent/{event.pk}/change/",
    ):
        assert console.post(url, {"balance": "999999", "amount": "1", "event_type": "x"}).status_code == 403
        assert console.post(url.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    funded_wallet.refresh_from_db()
    assert funded_wallet.balance == 10_000
    assert AuditEvent.objects.filter(pk=event.pk, event_type=event.event_type, new_values=event.new_values).exists()


# --- The API: roles give no reach into other people's money -----------------------------------


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN, Role.SUPER_ADMIN])
def test_staff_see_only_their_own_things_in_the_api(role, funded_wallet, user, other_wallet):
    sent = post_money(client_for(user), "transfer", transfer_body(other_wallet))
    staff = client_for(_with_role(role))
    assert staff.get(f"/api/v1/transactions/{sent.json()['id']}").status_code == 404
    assert staff.get("/api/v1/wallet").status_code == 404  # their own (none), never someone else's
    known_ip = user.known_ips.first()
    assert staff.delete(f"/api/v1/security/ips/{known_ip.pk}").status_code == 404


def test_a_frozen_wallet_neither_sends_nor_receives(user, funded_wallet, other_user, other_wallet, assert_reconciled):
    _action(_console(Role.MODERATOR), "/admin/wallets/wallet/", "freeze_wallets", other_wallet.pk, **_WITH_REASON)
    received = post_money(client_for(user), "transfer", transfer_body(other_wallet))
    assert (received.status_code, received.json()["error"]["code"]) == (409, "wallet_frozen")
    back = post_money(client_for(other_user), "transfer", transfer_body(funded_wallet))
    assert (back.status_code, back.json()["error"]["code"]) == (409, "wallet_frozen")
    deposit = post_money(client_for(other_user), "deposit", {"amount": "1.00", "currency": "USD"})
    assert deposit.json()["error"]["code"] == "wallet_frozen"
    assert Wallet.objects.get(pk=other_wallet.pk).balance == 0
    _action(_console(Role.MODERATOR), "/admin/wallets/wallet/", "unfreeze_wallets", other_wallet.pk, **_WITH_REASON)
    assert post_money(client_for(user), "transfer", transfer_body(other_wallet)).status_code == 201
    assert_reconciled()
