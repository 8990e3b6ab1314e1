from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.exceptions import (
    PinAlreadySet,
    PinFormatInvalid,
    PinInvalid,
    PinLocked,
    PinNotSet,
    PinResetTokenInvalid,
    PinTooWeak,
)
from accounts.models import TransactionPin
from accounts.pin import pin_is_weak
from accounts.services import pin_change, pin_reset_confirm, pin_reset_request, pin_set, pin_verify
from accounts.tests.factories import DEFAULT_PIN, UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "123456", "4321", "987654", "2580", "121212"])
def test_weak_pins_are_refused(pin):
    assert pin_is_weak(pin)
    with pytest.raises(PinTooWeak):
        pin_set(user=UserFactory(pin=""), pin=pin)


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", " 4826", "", "٤٨٢٦"])
def test_pins_that_are_not_4_to_6_digits_are_refused(pin):
    with pytest.raises(PinFormatInvalid):
        pin_set(user=UserFactory(pin=""), pin=pin)


def test_pin_is_stored_as_a_salted_keyed_hash_never_in_clear():
    user, other = UserFactory(pin=""), UserFactory(pin="")
    pin_set(user=user, pin="5829")
    pin_set(user=other, pin="5829")
    mine, theirs = TransactionPin.objects.get(user=user), TransactionPin.objects.get(user=other)
    assert "5829" not in mine.pin_hash and len(mine.pin_hash) == 64
    assert mine.pin_hash != theirs.pin_hash  # per-user salt
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_SET, actor=user).exists()


def test_setting_a_second_time_is_refused():
    user = UserFactory()
    with pytest.raises(PinAlreadySet):
        pin_set(user=user, pin="5829")


def test_verify_without_a_pin_raises_pin_not_set():
    with pytest.raises(PinNotSet):
        pin_verify(user=UserFactory(pin=""), pin="5829")


def test_wrong_pins_count_down_then_lock_for_24_hours():
    user = UserFactory()
    with pytest.raises(PinInvalid) as first:
        pin_verify(user=user, pin="0001")
    assert first.value.details == {"attempts_left": 2}
    with pytest.raises(PinInvalid) as second:
        pin_verify(user=user, pin="0002")
    assert second.value.details == {"attempts_left": 1}
    with pytest.raises(PinLocked) as third:
        pin_verify(user=user, pin="0003")
    state = TransactionPin.objects.get(user=user)
    assert state.failed_attempts == 3
    assert state.locked_until - timezone.now() > timedelta(hours=23, minutes=59)
    assert third.value.details == {"locked_until": state.locked_until.isoformat()}
    # while locked, even the right PIN is refused
    with pytest.raises(PinLocked):
        pin_verify(user=user, pin=DEFAULT_PIN)
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_LOCKED, actor=user).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_FAILED, actor=user).count() == 2


def test_lock_lifts_by_itself_after_24_hours():
    user = UserFactory()
    for wrong in ("0001", "0002", "0003"):
        with pytest.raises(PinInvalid if wrong != "0003" else PinLocked):
            pin_verify(user=user, pin=wrong)
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59), tick=False):
        with pytest.raises(PinLocked):
            pin_verify(user=user, pin=DEFAULT_PIN)
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1), tick=False):
        pin_verify(user=user, pin=DEFAULT_PIN)
    state = TransactionPin.objects.get(user=user)
    assert (state.failed_attempts, state.locked_until) == (0, None)


def test_a_correct_pin_resets_the_counter():
    user = UserFactory()
    for wrong in ("0001", "0002"):
        with pytest.raises(PinInvalid):
            pin_verify(user=user, pin=wrong)
    pin_verify(user=user, pin=DEFAULT_PIN)
    assert TransactionPin.objects.get(user=user).failed_attempts == 0
    with pytest.raises(PinInvalid) as again:
        pin_verify(user=user, pin="0003")
    assert again.value.details == {"attempts_left": 2}


def test_the_right_pin_on_a_clean_row_locks_and_writes_nothing():
    user = UserFactory()
    before = TransactionPin.objects.get(user=user).updated_at
    with CaptureQueriesContext(connection) as captured:
        pin_verify(user=user, pin=DEFAULT_PIN)
    statements = [q["sql"].upper() for q in captured.captured_queries]
    assert len(statements) == 1 and "FOR UPDATE" not in statements[0], statements
    assert TransactionPin.objects.get(user=user).updated_at == before


def test_change_needs_the_current_pin_and_a_wrong_one_counts():
    user = UserFactory()
    with pytest.raises(PinInvalid):
        pin_change(user=user, current_pin="0001", new_pin="5829")
    assert TransactionPin.objects.get(user=user).failed_attempts == 1
    pin_change(user=user, current_pin=DEFAULT_PIN, new_pin="5829")
    pin_verify(user=user, pin="5829")
    with pytest.raises(PinInvalid):
        pin_verify(user=user, pin=DEFAULT_PIN)
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_CHANGED, actor=user).exists()


def test_a_weak_new_pin_is_refused_before_the_current_one_is_tried():
    user = UserFactory()
    with pytest.raises(PinTooWeak):
        pin_change(user=user, current_pin="0001", new_pin="1111")
    assert TransactionPin.objects.get(user=user).failed_attempts == 0


def _request_reset(user, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        pin_reset_request(user=user)
    message = mail.outbox[-1]
    assert message.to == [user.email]
    token = next(line.split(": ", 1)[1] for line in message.body.splitlines() if line.startswith("Your reset code"))
    assert token in message.alternatives[0][0]  # the HTML part carries it too
    return token


def test_reset_by_emailed_token_sets_a_new_pin_and_lifts_the_lock(django_capture_on_commit_callbacks):
    user = UserFactory()
    for wrong in ("0001", "0002", "0003"):
        with pytest.raises((PinInvalid, PinLocked)):
            pin_verify(user=user, pin=wrong)
    token = _request_reset(user, django_capture_on_commit_callbacks)
    pin_reset_confirm(user=user, token=token, new_pin="5829")
    pin_verify(user=user, pin="5829")
    assert AuditEvent.objects.filter(event_type=AuditEventType.PIN_RESET, actor=user).exists()
    # single use
    with pytest.raises(PinResetTokenInvalid):
        pin_reset_confirm(user=user, token=token, new_pin="6039")


def test_reset_token_expires_after_30_minutes(django_capture_on_commit_callbacks):
    user = UserFactory()
    token = _request_reset(user, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + timedelta(minutes=30, seconds=1), tick=False):
        with pytest.raises(PinResetTokenInvalid):
            pin_reset_confirm(user=user, token=token, new_pin="5829")
    pin_verify(user=user, pin=DEFAULT_PIN)


def test_reset_token_belongs_to_its_user_and_a_newer_one_replaces_it(django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    first = _request_reset(user, django_capture_on_commit_callbacks)
    with pytest.raises(PinResetTokenInvalid):
        pin_reset_confirm(user=other, token=first, new_pin="5829")
    second = _request_reset(user, django_capture_on_commit_callbacks)
    with pytest.raises(PinResetTokenInvalid):
        pin_reset_confirm(user=user, token=first, new_pin="5829")
    pin_reset_confirm(user=user, token=second, new_pin="5829")
