"""Personal limits: lower at once, higher only after the cooling-off, never above the tier."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent, AuditEventType
from ledger.tests.helpers import fund, post_money

pytestmark = pytest.mark.django_db


def _set(client, period: str, amount: str):
    return client.put(f"/api/v1/wallet/limits/{period}", {"amount": amount}, format="json")


def _withdraw(client, amount: str):
    return post_money(client, "withdraw", {"amount": amount, "currency": "USD"})


def test_lowering_takes_effect_at_once_and_is_enforced(auth_client, user, wallet, assert_reconciled):
    fund(wallet, 400_00)
    response = _set(auth_client, "daily", "100.00")
    assert response.status_code == 200
    daily = response.json()["daily"]
    assert (daily["limit"], daily["tier_limit"], daily["personal_limit"], daily["pending"]) == (
        "100.00", "500.00", "100.00", None,
    )  # fmt: skip
    assert _withdraw(auth_client, "60.00").status_code == 201
    refused = _withdraw(auth_client, "50.00")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "limit_exceeded")
    assert refused.json()["error"]["details"]["limit"] == "100.00"
    assert AuditEvent.objects.filter(event_type=AuditEventType.WALLET_PERSONAL_LIMIT_SET, actor=user).exists()
    assert_reconciled()


def test_raising_again_waits_out_the_cooling_off(auth_client, wallet, assert_reconciled):
    fund(wallet, 400_00)
    _set(auth_client, "daily", "50.00")
    raised = _set(auth_client, "daily", "300.00").json()["daily"]
    assert raised["limit"] == "50.00"  # still the lower one
    assert raised["pending"]["limit"] == "300.00"
    assert _withdraw(auth_client, "60.00").status_code == 403
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert auth_client.get("/api/v1/wallet/limits").json()["daily"]["limit"] == "300.00"
        assert _withdraw(auth_client, "60.00").status_code == 201
        assert_reconciled()  # on the day the withdrawal counts for


def test_removing_the_personal_limit_also_waits(auth_client, wallet):
    _set(auth_client, "monthly", "100.00")
    body = auth_client.delete("/api/v1/wallet/limits/monthly").json()["monthly"]
    assert (body["limit"], body["pending"]["limit"]) == ("100.00", None)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert auth_client.get("/api/v1/wallet/limits").json()["monthly"]["limit"] == "2000.00"


def test_a_personal_limit_above_the_tier_is_refused(auth_client, wallet):
    response = _set(auth_client, "daily", "600.00")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "limit_above_tier")
    assert auth_client.get("/api/v1/wallet/limits").json()["daily"]["personal_limit"] is None


def test_bad_periods_and_amounts(auth_client, wallet, api_client):
    assert auth_client.put("/api/v1/wallet/limits/weekly", {"amount": "1.00"}, format="json").status_code == 404
    assert _set(auth_client, "daily", "1.001").json()["error"]["code"] == "amount_too_precise"
    assert _set(auth_client, "daily", "-5").status_code == 400
    assert api_client.put("/api/v1/wallet/limits/daily", {"amount": "1.00"}, format="json").status_code == 401
