"""The security gate before a money service: IP trust and the PIN, usually in one read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.exceptions import IpNotTrusted, PinInvalid, PinLocked, PinNotSet
from accounts.models import TransactionPin
from accounts.services import money_movement_authorize
from accounts.tests.factories import DEFAULT_PIN, TEST_CLIENT_IP, UserFactory

pytestmark = pytest.mark.django_db


def test_a_trusted_address_and_the_right_pin_cost_one_read():
    user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin=DEFAULT_PIN, pin_required=True)
    assert len(captured.captured_queries) == 1, [q["sql"] for q in captured.captured_queries]


def test_the_one_read_never_accepts_a_wrong_pin_and_the_try_is_counted():
    user = UserFactory()
    with pytest.raises(PinInvalid):
        money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin="5829", pin_required=True)
    assert TransactionPin.objects.get(user=user).failed_attempts == 1
    money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin=DEFAULT_PIN, pin_required=True)
    assert TransactionPin.objects.get(user=user).failed_attempts == 0  # the right PIN clears the tries


def test_an_untrusted_address_is_refused_before_the_pin_is_looked_at():
    user = UserFactory()
    with pytest.raises(IpNotTrusted):
        money_movement_authorize(user=user, ip="203.0.113.9", pin="0000", pin_required=True)
    assert TransactionPin.objects.get(user=user).failed_attempts == 0


def test_a_user_without_a_pin_is_told_so():
    user = UserFactory(pin="")
    with pytest.raises(PinNotSet):
        money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin=DEFAULT_PIN, pin_required=True)


def test_a_locked_pin_refuses_even_the_right_pin():
    user = UserFactory()
    for wrong in ("5829", "6039"):
        with pytest.raises(PinInvalid):
            money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin=wrong, pin_required=True)
    with pytest.raises(PinLocked):
        money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin="7140", pin_required=True)
    with pytest.raises(PinLocked):
        money_movement_authorize(user=user, ip=TEST_CLIENT_IP, pin=DEFAULT_PIN, pin_required=True)
