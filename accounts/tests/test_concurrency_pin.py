"""The lockout under concurrency: real threads, real row locks, on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.exceptions import PinInvalid, PinLocked
from accounts.models import TransactionPin
from accounts.services import pin_verify
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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
