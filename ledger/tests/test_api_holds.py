"""Holds through the API: authorize, capture (all or part), void, and what each leaves in the ledger."""

import uuid

import pytest

from ledger.models import Hold, HoldStatus, Transaction, TransactionKind
from ledger.tests.helpers import TEST_PIN, fund
from wallets.models import Wallet

pytestmark = pytest.mark.django_db


def _post(client, path: str, body: dict | None = None, key: str | None = None):
    return client.post(
        f"/api/v1/{path}", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


def _authorize(client, amount="30.00", **extra):
    return _post(client, "holds", {"amount": amount, "currency": "USD", "pin": TEST_PIN} | extra)


def test_authorize_sets_money_aside(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    response = _authorize(auth_client, metadata={"booking": "B-77"}, description="Room 12")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "authorized" and body["amount"] == "30.00" and body["metadata"] == {"booking": "B-77"}
    shown = auth_client.get("/api/v1/wallet").json()
    assert (shown["balance"], shown["available"], shown["on_hold"]) == ("100.00", "70.00", "30.00")
    assert Transaction.objects.get(pk=body["authorization"]).kind == TransactionKind.HOLD
    assert_reconciled()


def test_partial_capture_pays_the_payee_and_releases_the_rest(
    auth_client, wallet, other_wallet, assert_reconciled
):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client, to_wallet=other_wallet.public_id).json()["id"]
    response = _post(auth_client, f"holds/{hold_id}/capture", {"amount": "12.50", "pin": TEST_PIN})
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "captured" and response.json()["captured_amount"] == "12.50"
    wallet.refresh_from_db()
    other_wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold, other_wallet.balance) == (8_750, 0, 1_250)
    again = _post(auth_client, f"holds/{hold_id}/void")
    assert again.status_code == 409 and again.json()["error"]["code"] == "hold_not_authorized"
    assert_reconciled()


def test_void_gives_everything_back(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    response = _post(auth_client, f"holds/{hold_id}/void")
    assert response.status_code == 201 and response.json()["status"] == "voided"
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold) == (10_000, 0)
    assert Hold.objects.get(pk=hold_id).status == HoldStatus.VOIDED
    assert_reconciled()


def test_refund_returns_part_of_a_payment(auth_client, wallet, other_user, other_wallet, assert_reconciled):
    from conftest import client_for

    fund(wallet, 10_000)
    paid = _post(
        auth_client,
        "transactions/transfer",
        {"to_wallet": other_wallet.public_id, "amount": "20.00", "currency": "USD", "pin": TEST_PIN},
    ).json()
    receiver = client_for(other_user)
    response = _post(receiver, f"transactions/{paid['id']}/refund", {"amount": "5.00", "pin": TEST_PIN})
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "refund" and response.json()["reverses"] == paid["reference"]
    too_much = _post(receiver, f"transactions/{paid['id']}/refund", {"amount": "15.01", "pin": TEST_PIN})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "refund_exceeds_amount"
    assert Wallet.objects.get(pk=wallet.pk).balance == 8_500
    assert_reconciled()
