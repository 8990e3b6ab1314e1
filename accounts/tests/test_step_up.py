"""Before money leaves a wallet: a verified email, and with two-factor on the step-up code when it is due."""

import pytest

from accounts.tests.conftest import enable_two_factor, post_money, totp_code, transfer_body
from accounts.tests.factories import DEFAULT_PIN
from audit.models import AuditEvent, AuditEventType
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _low_threshold(settings):
    settings.STEP_UP_ABOVE = {**settings.STEP_UP_ABOVE, "USD": "10"}


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def _withdraw(client, amount: str, **extra):
    return post_money(client, "withdraw", {"amount": amount, "currency": "USD", "pin": DEFAULT_PIN, **extra})


def test_unverified_email_may_read_and_deposit_but_not_send(user, funded_wallet, other_wallet, assert_reconciled):
    user.email_verified_at = None
    user.save(update_fields=["email_verified_at"])
    client = client_for(user)
    assert client.get("/api/v1/wallet").status_code == 200
    assert post_money(client, "deposit", {"amount": "1.00", "currency": "USD"}).status_code == 201
    assert _error(post_money(client, "transfer", transfer_body(other_wallet))) == (403, "email_not_verified")
    assert _error(_withdraw(client, "1.00")) == (403, "email_not_verified")
    funded_wallet.refresh_from_db()
    other_wallet.refresh_from_db()
    assert (funded_wallet.balance, other_wallet.balance) == (10_100, 0)
    assert_reconciled()


def test_without_two_factor_no_code_is_asked(user, funded_wallet, other_wallet, assert_reconciled):
    client = client_for(user)
    assert post_money(client, "transfer", transfer_body(other_wallet, amount="50.00")).status_code == 201
    assert _withdraw(client, "20.00").status_code == 201
    assert_reconciled()


def test_above_the_threshold_a_code_is_required(user, funded_wallet, other_wallet, assert_reconciled):
    enable_two_factor(user)
    client = client_for(user)
    missing = _withdraw(client, "10.01")
    assert _error(missing) == (403, "otp_required")
    assert missing.json()["error"]["details"]["reason"] == "amount_above_threshold"
    assert _error(_withdraw(client, "10.01", otp="000000")) == (403, "otp_invalid")
    assert _withdraw(client, "10.01", otp=totp_code(user, steps_ahead=1)).status_code == 201
    assert _withdraw(client, "10.00").status_code == 201  # at the threshold: no code
    funded_wallet.refresh_from_db()
    assert funded_wallet.balance == 10_000 - 1_001 - 1_000
    assert_reconciled()


def test_a_step_up_code_is_accepted_once(user, funded_wallet):
    enable_two_factor(user)
    client = client_for(user)
    code = totp_code(user, steps_ahead=1)
    assert _withdraw(client, "11.00", otp=code).status_code == 201
    assert _error(_withdraw(client, "11.00", otp=code)) == (403, "otp_invalid")


def test_a_first_payment_to_a_recipient_needs_a_code_then_not_again(
    user, funded_wallet, other_wallet, assert_reconciled
):
    enable_two_factor(user)
    client = client_for(user)
    first = post_money(client, "transfer", transfer_body(other_wallet))
    assert _error(first) == (403, "otp_required")
    assert first.json()["error"]["details"]["reason"] == "new_recipient"
    body = transfer_body(other_wallet) | {"otp": totp_code(user, steps_ahead=1)}
    assert post_money(client, "transfer", body).status_code == 201
    assert post_money(client, "transfer", transfer_body(other_wallet)).status_code == 201
    other_wallet.refresh_from_db()
    assert other_wallet.balance == 200
    assert_reconciled()


def test_wrong_step_up_codes_count_toward_the_lockout(user, funded_wallet):
    enable_two_factor(user)
    client = client_for(user)
    codes = [_error(_withdraw(client, "11.00", otp="12345x"))[1] for _ in range(5)]
    assert codes == ["otp_invalid"] * 4 + ["otp_locked"]
    assert AuditEvent.objects.filter(event_type=AuditEventType.TWO_FACTOR_LOCKED, actor=user).exists()
    funded_wallet.refresh_from_db()
    assert funded_wallet.balance == 10_000
