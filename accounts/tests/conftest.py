"""Fixtures for the account-security tests."""

import uuid

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

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


def login(client, email: str, password: str, *, ip: str = "127.0.0.1", user_agent: str = "pytest"):
    return client.post(
        "/api/v1/auth/token",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=user_agent,
    )


class CommittingClient(APIClient):
    """Runs each request's on-commit callbacks (the emails) when the request ends, as its commit would,
    although the test keeps everything in one transaction. Not for tests that capture callbacks themselves."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


def committing_client_for(user) -> CommittingClient:
    client = CommittingClient()
    client.force_authenticate(user=user)
    return client


def bearer(access: str) -> CommittingClient:
    client = CommittingClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def emailed_code(message) -> str:
    """The six-digit code of a verification or reset email."""
    import re

    match = re.search(r"code: (\d{6})", message.body)
    assert match, message.body
    return match.group(1)


def totp_code(user, *, steps_ahead: int = 0) -> str:
    """The authenticator app's code for `user`, `steps_ahead` 30-second steps from now (the window allows 1)."""
    import time

    import pyotp

    from accounts.models import TwoFactorDevice

    device = TwoFactorDevice.objects.get(user=user)
    return pyotp.TOTP(device.secret).at(time.time() + 30 * steps_ahead)


def enable_two_factor(user) -> list[str]:
    """Turn two-factor on for `user` through the services; returns the recovery codes."""
    from accounts.services import two_factor_confirm, two_factor_setup

    two_factor_setup(user=user)
    codes = two_factor_confirm(user=user, code=totp_code(user))
    user.refresh_from_db()
    return codes
