"""The security gate of a money request: IP trust and the PIN, decided in the request's one round trip."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.exceptions import IpNotTrusted, PinInvalid, PinLocked, PinNotSet, PinRequired
from accounts.models import TransactionPin
from accounts.services.money_gate import MoneyGateRequest
from accounts.tests.factories import DEFAULT_PIN, TEST_CLIENT_IP, UserFactory
from ledger.idempotency import idempotency_request_build
from ledger.models import Transaction
from ledger.services import wallet_deposit, wallet_withdraw
from vaultpay.money import Money, currency_for
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db
USD = currency_for("USD")


def _funded_user(**kwargs):
    user = UserFactory(**kwargs)
    wallet_create(owner=user, currency=USD)
    wallet_deposit(user=user, amount=Money(10_00, USD), idempotency=_key(user))
    return user


def _key(user):
    return idempotency_request_build(user=user, key=str(uuid.uuid4()), operation="test", payload={})


def _withdraw(user, *, pin=DEFAULT_PIN, ip=TEST_CLIENT_IP):
    gate = MoneyGateRequest(ip=ip, pin=pin, pin_required=True)
    return wallet_withdraw(user=user, amount=Money(1_00, USD), idempotency=_key(user), gate=gate)


def test_a_trusted_address_and_the_right_pin_cost_the_one_statement_of_the_posting():
    user = _funded_user()
    _withdraw(user)  # the first request of a process learns the PIN's salt
    with CaptureQueriesContext(connection) as captured:
        _withdraw(user)
    assert len(captured.captured_queries) == 1, [q["sql"] for q in captured.captured_queries]


def test_a_wrong_pin_is_refused_counted_and_moves_nothing():
    user = _funded_user()
    with pytest.raises(PinInvalid):
        _withdraw(user, pin="5829")
    assert TransactionPin.objects.get(user=user).failed_attempts == 1
    assert Transaction.objects.filter(kind="withdrawal").count() == 0
    _withdraw(user)
    assert TransactionPin.objects.get(user=user).failed_attempts == 0  # the right PIN clears the tries


def test_an_untrusted_address_is_refused_before_the_pin_is_looked_at():
    user = _funded_user()
    with pytest.raises(IpNotTrusted):
        _withdraw(user, ip="203.0.113.9", pin="0000")
    assert TransactionPin.objects.get(user=user).failed_attempts == 0


def test_a_missing_pin_is_required_but_an_untrusted_address_is_said_first():
    user = _funded_user()
    with pytest.raises(IpNotTrusted):
        _withdraw(user, ip="203.0.113.10", pin=None)
    with pytest.raises(PinRequired):
        _withdraw(user, pin=None)


def test_a_user_without_a_pin_is_told_so():
    user = _funded_user(pin="")
    with pytest.raises(PinNotSet):
        _withdraw(user)


def test_a_locked_pin_refuses_even_the_right_pin():
    user = _funded_user()
    for wrong in ("5829", "6039"):
        with pytest.raises(PinInvalid):
            _withdraw(user, pin=wrong)
    with pytest.raises(PinLocked):
        _withdraw(user, pin="7140")
    with pytest.raises(PinLocked):
        _withdraw(user)
    assert Transaction.objects.filter(kind="withdrawal").count() == 0


def test_a_changed_pin_is_noticed_although_the_old_salt_was_remembered():
    from accounts.services import pin_change

    user = _funded_user()
    _withdraw(user)
    pin_change(user=user, current_pin=DEFAULT_PIN, new_pin="5931")
    with pytest.raises(PinInvalid):
        _withdraw(user)  # the old PIN, hashed under the old salt
    _withdraw(user, pin="5931")
