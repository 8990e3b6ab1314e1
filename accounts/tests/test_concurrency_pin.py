"""The lockout under concurrency: real threads, real row locks, on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.exceptions import PinInvalid, PinLocked
from accounts.models import TransactionPin
from accounts.services import pin_verify
from accounts.tests.conftest import post_money, transfer_body
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from vaultpay.money import currency_for
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_concurrent_wrong_guesses_buy_no_more_than_three_tries():
    user = UserFactory()
    start = threading.Barrier(10)

    def guess(n: int) -> str:
        try:
            start.wait()
            pin_verify(user=user, pin=f"{9000 + n}")
            return "accepted"
        except PinInvalid:
            return "pin_invalid"
        except PinLocked:
            return "pin_locked"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(guess, range(10)))

    assert outcomes.count("pin_invalid") == 2
    assert outcomes.count("pin_locked") == 8
    state = TransactionPin.objects.get(user=user)
    assert state.failed_attempts == 3 and state.locked_until is not None
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_FAILED, actor=user).count() == 2
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_LOCKED, actor=user).count() == 1


def test_a_wrong_pin_through_the_api_is_committed_although_the_request_fails(assert_reconciled):
    # given: no test transaction around us, so only a real COMMIT makes the counter visible
    sender, recipient = UserFactory(), UserFactory()
    wallet_create(owner=sender, currency=currency_for("USD"))
    to_wallet = wallet_create(owner=recipient, currency=currency_for("USD"))
    # when
    response = post_money(client_for(sender), "transfer", transfer_body(to_wallet, pin="0001"))
    # then
    assert response.json()["error"]["code"] == "pin_invalid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT failed_attempts FROM accounts_transactionpin WHERE user_id = %s", [sender.pk])
        assert cursor.fetchone()[0] == 1
    assert_reconciled()
