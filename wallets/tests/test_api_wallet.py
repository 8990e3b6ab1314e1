import re

import pytest

from audit.models import AuditEvent, AuditEventType
from conftest import client_for, new_key
from wallets.models import Wallet, WalletStatus


@pytest.mark.django_db
def test_create_wallet_starts_at_zero(auth_client, user):
    response = auth_client.post("/api/v1/wallet", {"currency": "USD"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"VPY-[A-Z0-9]{6}", body["id"])
    assert body["balance"] == "0.00"
    assert body["currency"] == "USD"
    assert body["status"] == "active"
    assert AuditEvent.objects.filter(event_type=AuditEventType.WALLET_CREATED, actor=user).count() == 1


@pytest.mark.django_db
def test_balance_in_the_body_is_never_applied(auth_client):
    response = auth_client.post(
        "/api/v1/wallet", {"currency": "USD", "balance": "1000", "status": "frozen", "owner": 99}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["balance"] == "0.00"
    wallet = Wallet.objects.get(public_id=response.json()["id"])
    assert wallet.balance == 0
    assert wallet.status == WalletStatus.ACTIVE


@pytest.mark.django_db
def test_second_wallet_is_409(auth_client, wallet):
    response = auth_client.post("/api/v1/wallet", {"currency": "EUR"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wallet_exists"
    assert Wallet.objects.filter(owner=wallet.owner).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "code"),
    [("XXX", "currency_unsupported"), ("usd", "currency_invalid"), ("", "currency_invalid"), (840, "currency_invalid")],
)
def test_bad_currency_is_400(auth_client, currency, code):
    response = auth_client.post("/api/v1/wallet", {"currency": currency}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Wallet.objects.exists()


@pytest.mark.django_db
def test_get_wallet_without_one_is_404(auth_client):
    response = auth_client.get("/api/v1/wallet")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "wallet_not_found"


@pytest.mark.django_db
def test_get_wallet_shows_only_my_own(auth_client, wallet, other_wallet):
    assert auth_client.get("/api/v1/wallet").json()["id"] == wallet.public_id


@pytest.mark.django_db
def test_close_empty_wallet_then_open_a_new_one(auth_client, wallet, user):
    assert auth_client.delete("/api/v1/wallet").status_code == 204
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.CLOSED
    assert AuditEvent.objects.filter(event_type=AuditEventType.WALLET_CLOSED, target_id=str(wallet.pk)).exists()
    assert auth_client.get("/api/v1/wallet").status_code == 404
    reopened = auth_client.post("/api/v1/wallet", {"currency": "USD"}, format="json")
    assert reopened.status_code == 201
    assert reopened.json()["id"] != wallet.public_id


@pytest.mark.django_db
def test_close_wallet_with_money_is_409(user, wallet, assert_reconciled):
    client = client_for(user)
    client.post(
        "/api/v1/transactions/deposit",
        {"amount": "1.00", "currency": "USD"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    response = client.delete("/api/v1/wallet")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wallet_not_empty"
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    assert_reconciled()


@pytest.mark.django_db
def test_wallet_requires_authentication(api_client):
    assert api_client.get("/api/v1/wallet").status_code == 401
