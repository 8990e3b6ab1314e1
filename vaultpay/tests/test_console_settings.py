"""Super admins tune limit tiers, dispute windows and the step-up threshold in the console: validated,
audited, the environment's values as defaults."""

import copy
import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from vaultpay.console_settings import dispute_window_days, limit_tiers, step_up_above
from wallets.limits import tier_limits

pytestmark = pytest.mark.django_db
URL = "/admin/constance/config/"


def console(role: Role) -> tuple[Client, object]:
    staff = UserFactory()
    user_set_role(user=staff, role=role)
    client = Client()
    client.force_login(staff)
    return client, staff


def submit(client, **changes):
    """Post the settings form as the page would: every field, the page's version hash, the changes."""
    page = client.get(URL)
    form = page.context["form"]
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update(changes)
    return client.post(URL, data)


def raised_tiers() -> dict:
    table = copy.deepcopy(settings.WALLET_LIMIT_TIERS)
    table["unverified"]["USD"] = {"daily": "750", "monthly": "3000"}
    return table


def test_the_environments_values_hold_until_a_super_admin_changes_them():
    assert limit_tiers() == settings.WALLET_LIMIT_TIERS
    assert dispute_window_days() == settings.DISPUTE_WINDOW_DAYS
    assert step_up_above() == settings.STEP_UP_ABOVE


def test_a_super_admin_raises_a_tier_and_the_limit_check_uses_it():
    client, super_admin = console(Role.SUPER_ADMIN)

    response = submit(client, WALLET_LIMIT_TIERS=json.dumps(raised_tiers()), DISPUTE_WINDOW_DAYS="30")

    assert response.status_code == 302
    assert tier_limits(tier="unverified", currency="USD").daily == 75_000
    assert dispute_window_days() == 30
    event = AuditEvent.objects.get(event_type=AuditEventType.CONSOLE_SETTING_CHANGED)
    assert event.actor == super_admin
    assert event.old_values["DISPUTE_WINDOW_DAYS"] == 0 and event.new_values["DISPUTE_WINDOW_DAYS"] == 30
    assert event.new_values["WALLET_LIMIT_TIERS"]["unverified"]["USD"]["daily"] == "750"


@pytest.mark.parametrize(
    "bad",
    [
        '{"unverified": {}}',  # a tier missing, currencies missing
        "not json",
    ],
)
def test_an_incomplete_or_malformed_table_is_refused(bad):
    client, _ = console(Role.SUPER_ADMIN)

    response = submit(client, WALLET_LIMIT_TIERS=bad)

    assert response.status_code == 200  # the form again, with its error
    assert limit_tiers() == settings.WALLET_LIMIT_TIERS
    assert not AuditEvent.objects.filter(event_type=AuditEventType.CONSOLE_SETTING_CHANGED).exists()


def test_a_daily_limit_above_the_monthly_one_and_a_bad_amount_are_refused():
    client, _ = console(Role.SUPER_ADMIN)
    upside_down = raised_tiers()
    upside_down["verified"]["EUR"] = {"daily": "90000", "monthly": "100"}

    submit(client, WALLET_LIMIT_TIERS=json.dumps(upside_down))
    submit(client, STEP_UP_ABOVE='{"USD": "-5"}')
    submit(client, DISPUTE_REVIEW_DAYS="-1")

    assert limit_tiers() == settings.WALLET_LIMIT_TIERS
    assert step_up_above() == settings.STEP_UP_ABOVE
    assert not AuditEvent.objects.filter(event_type=AuditEventType.CONSOLE_SETTING_CHANGED).exists()


def test_only_super_admins_reach_the_settings():
    client, _ = console(Role.ADMIN)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"DISPUTE_WINDOW_DAYS": "1"}).status_code == 403
    assert dispute_window_days() == settings.DISPUTE_WINDOW_DAYS
