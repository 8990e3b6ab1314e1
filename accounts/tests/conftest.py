"""Fixtures for the account-security tests."""

import uuid

import pytest

from accounts.tests.factories import DEFAULT_PIN
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit
from vaultpay.money import Money, currency_for


def post_money(client, operation: str, body: dict, *, key: str | None = None, ip: str = "127.0.0.1"):
    return client.post(
        f"/api/v1/transactions/{operation}",
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
        REMOTE_ADDR=ip,
    )


def transfer_body(to_wallet, *, pin: str = DEFAULT_PIN, amount: str = "1.00") -> dict:
    return {"to_wallet": to_wallet.public_id, "amount": amount, "currency": "USD", "pin": pin}


@pytest.fixture
def funded_wallet(wallet, user):
    """The user's wallet holding 100.00 USD."""
    key = idempotency_request_build(user=user, key=str(uuid.uuid4()), operation="deposit", payload={})
    wallet_deposit(user=user, amount=Money(10_000, currency_for("USD")), idempotency=key)
    wallet.refresh_from_db()
    return wallet
