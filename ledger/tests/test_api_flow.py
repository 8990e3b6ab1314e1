"""The README's flow end to end: signup, token, wallet, deposit, PIN, transfer, history, entries."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.tests.conftest import emailed_code
from conftest import new_key


@pytest.mark.django_db
def test_signup_to_history_flow(assert_reconciled, django_capture_on_commit_callbacks):
    client = APIClient()
    for email in ("carol@example.com", "dave@example.com"):
        with django_capture_on_commit_callbacks(execute=True):  # the verification email
            response = client.post(
                "/api/v1/auth/signup",
                {"first_name": "C", "last_name": "D", "email": email, "password": "s3cure-passw0rd"},
                format="json",
            )
        assert response.status_code == 201, response.json()
        assert "password" not in response.json()

    def login(email):
        token = client.post("/api/v1/auth/token", {"email": email, "password": "s3cure-passw0rd"}, format="json")
        assert token.status_code == 200, token.json()
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
        return c

    carol, dave = login("carol@example.com"), login("dave@example.com")
    assert carol.post("/api/v1/wallet", {"currency": "USD"}, format="json").status_code == 201
    dave_wallet = dave.post("/api/v1/wallet", {"currency": "USD"}, format="json").json()["id"]

    deposit = carol.post(
        "/api/v1/transactions/deposit",
        {"amount": "100.00", "currency": "USD"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert deposit.status_code == 201, deposit.json()
    assert carol.post("/api/v1/pin", {"pin": "4729"}, format="json").status_code == 204
    # Sending money needs the verified address: the code is in the signup email.
    signup_email = next(m for m in mail.outbox if m.to == ["carol@example.com"])
    assert (
        carol.post("/api/v1/auth/email/verify", {"code": emailed_code(signup_email)}, format="json").status_code == 204
    )
    sent = carol.post(
        "/api/v1/transactions/transfer",
        {"to_wallet": dave_wallet, "amount": "12.50", "currency": "USD", "description": "Dinner", "pin": "4729"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert body["amount"] == "12.50"
    assert body["counterparty"]["wallet"] == dave_wallet
    assert body["direction"] == "out"

    history = carol.get("/api/v1/transactions").json()
    assert [t["kind"] for t in history["results"]] == ["transfer", "deposit"]
    entries = carol.get(f"/api/v1/transactions/{body['id']}/entries").json()
    assert sorted(e["direction"] for e in entries) == ["credit", "debit"]
    assert carol.get("/api/v1/wallet").json()["balance"] == "87.50"
    assert dave.get("/api/v1/wallet").json()["balance"] == "12.50"
    assert_reconciled()
