import pytest
from django.core import mail

from accounts.models import TransactionPin
from accounts.tests.conftest import post_money, transfer_body
from accounts.tests.factories import DEFAULT_PIN, UserFactory
from conftest import client_for, new_key
from ledger.models import IdempotencyRecord, Transaction

pytestmark = pytest.mark.django_db


def test_set_change_and_reset_a_pin_through_the_api(django_capture_on_commit_callbacks):
    user = UserFactory(pin="")
    client = client_for(user)
    assert client.post("/api/v1/pin", {"pin": "1234"}, format="json").json()["error"]["code"] == "pin_too_weak"
    assert client.post("/api/v1/pin", {"pin": "12"}, format="json").json()["error"]["code"] == "pin_format_invalid"
    assert client.post("/api/v1/pin", {"pin": "5829"}, format="json").status_code == 204
    again = client.post("/api/v1/pin", {"pin": "6039"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "pin_already_set")

    wrong = client.post("/api/v1/pin/change", {"current_pin": "0000", "new_pin": "6039"}, format="json")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (403, "pin_invalid")
    assert wrong.json()["error"]["details"] == {"attempts_left": 2}
    ok = client.post("/api/v1/pin/change", {"current_pin": "5829", "new_pin": "6039"}, format="json")
    assert ok.status_code == 204

    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post("/api/v1/pin/reset")
    assert requested.status_code == 202 and "expires_at" in requested.json()
    token = mail.outbox[-1].body.split("Your reset code: ")[1].split()[0]
    bad = client.post("/api/v1/pin/reset/confirm", {"token": "nope", "new_pin": "7148"}, format="json")
    assert bad.json()["error"]["code"] == "pin_reset_token_invalid"
    done = client.post("/api/v1/pin/reset/confirm", {"token": token, "new_pin": "7148"}, format="json")
    assert done.status_code == 204


def test_pin_endpoints_need_authentication(api_client):
    assert api_client.post("/api/v1/pin", {"pin": "5829"}, format="json").status_code == 401


def test_reset_without_a_pin_says_pin_not_set():
    response = client_for(UserFactory(pin="")).post("/api/v1/pin/reset")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "pin_not_set")


def test_transfer_and_withdraw_require_the_pin_field(funded_wallet, other_wallet, auth_client):
    body = transfer_body(other_wallet)
    del body["pin"]
    for operation, payload in (("transfer", body), ("withdraw", {"amount": "1.00", "currency": "USD"})):
        response = post_money(auth_client, operation, payload)
        assert response.status_code == 400
        assert "pin" in response.json()["error"]["details"]["fields"]


def test_deposit_needs_no_pin(wallet, auth_client, assert_reconciled):
    response = post_money(auth_client, "deposit", {"amount": "5.00", "currency": "USD"})
    assert response.status_code == 201, response.json()
    assert_reconciled()


def test_money_without_a_pin_set_is_pin_not_set(other_wallet, assert_reconciled):
    user = UserFactory(pin="")
    client = client_for(user)
    client.post("/api/v1/wallet", {"currency": "USD"}, format="json")
    response = post_money(client, "withdraw", {"amount": "1.00", "currency": "USD", "pin": "5829"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "pin_not_set")
    assert_reconciled()


def test_wrong_pin_on_transfer_then_lockout_with_unlock_time(funded_wallet, other_wallet, auth_client, user):
    first = post_money(auth_client, "transfer", transfer_body(other_wallet, pin="0001"))
    assert (first.status_code, first.json()["error"]["code"]) == (403, "pin_invalid")
    assert first.json()["error"]["details"]["attempts_left"] == 2
    post_money(auth_client, "withdraw", {"amount": "1.00", "currency": "USD", "pin": "0002"})
    third = post_money(auth_client, "transfer", transfer_body(other_wallet, pin="0003"))
    assert (third.status_code, third.json()["error"]["code"]) == (423, "pin_locked")
    assert (
        third.json()["error"]["details"]["locked_until"]
        == TransactionPin.objects.get(user=user).locked_until.isoformat()
    )
    right = post_money(auth_client, "transfer", transfer_body(other_wallet))
    assert (right.status_code, right.json()["error"]["code"]) == (423, "pin_locked")
    assert Transaction.objects.filter(kind="transfer").count() == 0
    funded_wallet.refresh_from_db()
    assert funded_wallet.balance == 10_000


def test_a_wrong_pin_does_not_consume_the_idempotency_key(funded_wallet, other_wallet, auth_client, assert_reconciled):
    key = new_key()
    wrong = post_money(auth_client, "transfer", transfer_body(other_wallet, pin="0001"), key=key)
    assert wrong.status_code == 403
    assert not IdempotencyRecord.objects.filter(key=key).exists()
    right = post_money(auth_client, "transfer", transfer_body(other_wallet), key=key)
    assert right.status_code == 201, right.json()
    assert "Idempotent-Replayed" not in right.headers
    other_wallet.refresh_from_db()
    assert other_wallet.balance == 100
    assert_reconciled()


def test_the_right_pin_moves_money(funded_wallet, other_wallet, auth_client, assert_reconciled):
    sent = post_money(auth_client, "transfer", transfer_body(other_wallet, pin=DEFAULT_PIN, amount="2.50"))
    out = post_money(auth_client, "withdraw", {"amount": "1.50", "currency": "USD", "pin": DEFAULT_PIN})
    assert (sent.status_code, out.status_code) == (201, 201)
    funded_wallet.refresh_from_db()
    assert funded_wallet.balance == 10_000 - 250 - 150
    assert_reconciled()
