"""Holds at the service layer: expiry, audit rows, webhook events, frozen and closing wallets, limits, DB guards."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.webhooks.services import webhook_endpoint_create
from audit.models import AuditEvent, AuditEventType
from conftest import client_for, new_key, usd
from ledger.exceptions import InsufficientFunds
from ledger.idempotency import idempotency_request_build
from ledger.models import Hold, HoldStatus, Transaction, TransactionKind
from ledger.services import wallet_transfer, wallet_withdraw
from ledger.services.holds import hold_authorize, hold_capture, hold_void, holds_expire_due
from ledger.tests.helpers import fund
from vaultpay.money import currency_for
from wallets.exceptions import LimitExceeded, WalletFrozen
from wallets.models import Wallet, WalletStatus, WalletUsage
from wallets.services import wallet_create, wallet_freeze_by_owner

pytestmark = pytest.mark.django_db


def _key(user, operation: str):
    return idempotency_request_build(user=user, key=new_key(), operation=operation, payload={})


def _hold(user, minor: int = 3_000, **extra) -> Hold:
    return hold_authorize(user=user, amount=usd(minor), idempotency=_key(user, "hold"), **extra).hold


def _capture(user, hold: Hold, amount: str | None = None, **extra) -> Hold:
    return hold_capture(user=user, hold_id=hold.pk, amount=amount, idempotency=_key(user, "capture"), **extra).hold


def _void(user, hold: Hold) -> Hold:
    return hold_void(user=user, hold_id=hold.pk, idempotency=_key(user, "void")).hold


def _balances(wallet: Wallet) -> tuple[int, int]:
    wallet.refresh_from_db()
    return wallet.balance, wallet.on_hold


def _events(event_type: AuditEventType, target) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type, target_id=str(target.pk)))


def test_the_sweep_releases_due_holds_only(user, wallet, assert_reconciled):
    # given three holds: one due, one not yet, one due but already voided
    fund(wallet, 10_000)
    due = _hold(user, 1_000, expires_in=timedelta(minutes=1))
    later = _hold(user, 2_000, expires_in=timedelta(hours=2))
    voided = _void(user, _hold(user, 500, expires_in=timedelta(minutes=1)))
    assert _balances(wallet) == (7_000, 3_000)
    # when the sweep runs ten minutes later
    assert holds_expire_due(now=timezone.now() + timedelta(minutes=10)) == 1
    # then only the due hold went back to the wallet
    statuses = dict(Hold.objects.values_list("pk", "status"))
    assert (statuses[due.pk], statuses[later.pk], statuses[voided.pk]) == ("expired", "authorized", "voided")
    assert _balances(wallet) == (8_000, 2_000)
    expired = Hold.objects.get(pk=due.pk)
    release = Transaction.objects.get(pk=expired.release_id)
    assert (release.kind, release.to_wallet_id, release.amount, release.initiator_id) == (
        TransactionKind.HOLD_RELEASE,
        wallet.pk,
        1_000,
        None,
    )
    assert expired.settled_at == release.created_at and expired.capture_id is None
    # and a second sweep finds nothing left to do
    assert holds_expire_due(now=timezone.now() + timedelta(minutes=10)) == 0
    assert_reconciled()


def test_the_beat_task_expires_holds_past_their_time(user, wallet, assert_reconciled):
    from ledger.tasks import expire_holds

    fund(wallet, 10_000)
    hold = _hold(user)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_holds.delay().get() == 1
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.EXPIRED
    assert _balances(wallet) == (10_000, 0)
    assert_reconciled()


def test_every_step_of_a_hold_is_audited(user, wallet, other_wallet, assert_reconciled):
    fund(wallet, 10_000)
    captured = _hold(user, to_wallet_id=other_wallet.public_id)
    authorized_event = _events(AuditEventType.HOLD_AUTHORIZED, captured)
    assert [(e.actor_id, e.target_type, e.new_values["amount"]) for e in authorized_event] == [
        (user.pk, "ledger.hold", "30.00 USD")
    ]
    captured = _capture(user, captured, amount="12.00")
    [event] = _events(AuditEventType.HOLD_CAPTURED, captured)
    capture = Transaction.objects.get(pk=captured.capture_id)
    assert (event.actor_id, event.new_values) == (
        user.pk,
        {"captured": "12.00 USD", "payee": other_wallet.label, "capture": capture.reference},
    )
    voided = _void(user, _hold(user, 1_000))
    assert [e.actor_id for e in _events(AuditEventType.HOLD_VOIDED, voided)] == [user.pk]
    expired = _hold(user, 700, expires_in=timedelta(minutes=1))
    holds_expire_due(now=timezone.now() + timedelta(minutes=2))
    assert [e.actor_id for e in _events(AuditEventType.HOLD_EXPIRED, expired)] == [None]
    # one money.posted per posting: each authorization, each release, the capture
    postings = [
        captured.authorization_id, captured.release_id, captured.capture_id,
        voided.authorization_id, Hold.objects.get(pk=voided.pk).release_id,
        expired.authorization_id, Hold.objects.get(pk=expired.pk).release_id,
    ]  # fmt: skip
    posted = AuditEvent.objects.filter(event_type=AuditEventType.MONEY_POSTED, target_type="ledger.transaction")
    assert set(map(str, postings)) <= set(posted.values_list("target_id", flat=True))
    assert posted.filter(target_id__in=map(str, postings)).count() == len(postings)
    assert_reconciled()


def test_a_refused_hold_leaves_no_audit_row(user, wallet):
    fund(wallet, 1_000)
    with pytest.raises(InsufficientFunds):
        _hold(user, 1_001)
    assert not AuditEvent.objects.filter(event_type=AuditEventType.HOLD_AUTHORIZED).exists()
    assert not Hold.objects.exists()


def test_hold_events_reach_a_subscribed_endpoint(
    user, wallet, webhook_receiver, django_capture_on_commit_callbacks, assert_reconciled
):
    # given the owner subscribes to every hold event
    events = ["hold.authorized", "hold.captured", "hold.voided", "hold.expired"]
    _, webhook_receiver.secret = webhook_endpoint_create(owner=user, url=webhook_receiver.url, events=events)
    fund(wallet, 10_000)
    # when one hold is captured in part, one voided, one left to expire
    with django_capture_on_commit_callbacks(execute=True):
        captured = _hold(user, 3_000, metadata={"order": "A-1"})
    with django_capture_on_commit_callbacks(execute=True):
        _capture(user, captured, amount="10.00")
    with django_capture_on_commit_callbacks(execute=True):
        voided = _void(user, _hold(user, 1_000))
    with django_capture_on_commit_callbacks(execute=True):
        expired = _hold(user, 500, expires_in=timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        holds_expire_due(now=timezone.now() + timedelta(minutes=2))
    # then each step arrived once, signed, with the hold as it stood
    received = [(r["event"]["type"], r["event"]["data"]["hold_id"]) for r in webhook_receiver.received]
    assert sorted(received) == sorted(
        [
            ("hold.authorized", str(captured.pk)),
            ("hold.captured", str(captured.pk)),
            ("hold.authorized", str(voided.pk)),
            ("hold.voided", str(voided.pk)),
            ("hold.authorized", str(expired.pk)),
            ("hold.expired", str(expired.pk)),
        ]
    )
    assert all(r["verified"] for r in webhook_receiver.received)
    [capture_event] = webhook_receiver.events_of("hold.captured")
    data = capture_event["data"]
    assert (data["status"], data["amount"], data["captured_amount"], data["currency"]) == (
        "captured",
        "30.00",
        "10.00",
        "USD",
    )
    assert data["metadata"] == {"order": "A-1"} and data["wallet"] == wallet.public_id and data["settled_at"]
    assert webhook_receiver.events_of("hold.expired")[0]["data"]["status"] == "expired"
    assert len({r["event"]["id"] for r in webhook_receiver.received}) == 6
    assert_reconciled()


def test_a_frozen_wallet_still_gets_its_release_on_void_and_expiry(user, wallet, assert_reconciled):
    fund(wallet, 10_000)
    voided = _hold(user, 1_000)
    expiring = _hold(user, 2_000, expires_in=timedelta(minutes=1))
    captured = _hold(user, 3_000)
    wallet_freeze_by_owner(owner=user)
    # a frozen wallet pays nobody: the capture is refused and the hold stays as it was
    with pytest.raises(WalletFrozen):
        _capture(user, captured)
    assert Hold.objects.get(pk=captured.pk).status == HoldStatus.AUTHORIZED
    # but its own money comes back to it
    assert _void(user, voided).status == HoldStatus.VOIDED
    assert holds_expire_due(now=timezone.now() + timedelta(minutes=2)) == 1
    assert Hold.objects.get(pk=expiring.pk).status == HoldStatus.EXPIRED
    wallet.refresh_from_db()
    assert (wallet.status, wallet.balance, wallet.on_hold) == (WalletStatus.FROZEN, 7_000, 3_000)
    assert_reconciled()


def test_a_frozen_wallet_cannot_set_money_aside(user, wallet):
    fund(wallet, 10_000)
    wallet_freeze_by_owner(owner=user)
    with pytest.raises(WalletFrozen):
        _hold(user)
    assert not Hold.objects.exists() and _balances(wallet) == (10_000, 0)


def test_a_wallet_with_money_on_hold_cannot_be_closed(user, wallet, assert_reconciled):
    client = client_for(user)
    fund(wallet, 1_000)
    hold = _hold(user, 1_000)
    assert _balances(wallet) == (0, 1_000)  # nothing available, yet not empty
    response = client.delete("/api/v1/wallet")
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "wallet_not_empty"
    assert response.json()["error"]["details"] == {"balance_minor_units": 0, "on_hold_minor_units": 1_000}
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    # once the hold is captured (paid out), the wallet is empty and closes
    _capture(user, hold)
    assert client.delete("/api/v1/wallet").status_code == 204
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.CLOSED
    assert_reconciled()


def test_a_hold_counts_against_the_daily_limit_once(user, wallet, other_wallet, assert_reconciled):
    # given an unverified wallet (500.00 USD a day) with 300.00 on hold
    fund(wallet, 100_000)
    hold = _hold(user, 30_000)
    assert WalletUsage.objects.get(owner=user, currency="USD").day_total == 30_000
    # then a payment that would take the day past 500.00 is refused
    with pytest.raises(LimitExceeded):
        wallet_withdraw(user=user, amount=usd(20_001), idempotency=_key(user, "withdraw"))
    # and the capture is not counted again: 200.00 more still fits the day
    _capture(user, hold, to_wallet_id=other_wallet.public_id)
    assert WalletUsage.objects.get(owner=user, currency="USD").day_total == 30_000
    wallet_transfer(
        sender=user, to_wallet_id=other_wallet.public_id, amount=usd(20_000), idempotency=_key(user, "transfer")
    )
    assert WalletUsage.objects.get(owner=user, currency="USD").day_total == 50_000
    assert _balances(wallet) == (50_000, 0)
    assert_reconciled()


def test_a_voided_hold_keeps_counting_for_its_day(user, wallet, assert_reconciled):
    # As the ledger counts it (ledger.limits.OUTGOING_KINDS): a hold is spending when authorized.
    fund(wallet, 100_000)
    _void(user, _hold(user, 40_000))
    with pytest.raises(LimitExceeded):
        _hold(user, 10_001)
    assert_reconciled()


def test_a_capture_the_payee_refuses_leaves_the_hold_authorized(
    user, wallet, other_user, other_wallet, assert_reconciled
):
    # given a hold for a payee who then freezes their wallet
    fund(wallet, 10_000)
    hold = _hold(user, 3_000, to_wallet_id=other_wallet.public_id)
    wallet_freeze_by_owner(owner=other_user)
    # when the capture is refused, the release before it is rolled back too
    with pytest.raises(WalletFrozen):
        _capture(user, hold)
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.AUTHORIZED
    assert _balances(wallet) == (7_000, 3_000)
    assert not Transaction.objects.filter(kind__in=[TransactionKind.HOLD_RELEASE, TransactionKind.HOLD_CAPTURE])
    # and the hold can still be captured to someone else
    third = wallet_create(owner=UserFactory(), currency=currency_for("USD"))
    assert _capture(user, hold, amount="5.00", to_wallet_id=third.public_id).captured_amount == 500
    assert _balances(wallet) == (9_500, 0) and _balances(third) == (500, 0)
    assert_reconciled()


def _settled_hold(user, wallet) -> Hold:
    fund(wallet, 10_000)
    return _void(user, _hold(user))


def test_the_database_refuses_any_change_to_a_settled_hold(user, wallet):
    hold = _settled_hold(user, wallet)
    for change in ({"status": HoldStatus.AUTHORIZED}, {"status": HoldStatus.EXPIRED}, {"description": "x"}):
        with pytest.raises(DatabaseError, match="already voided"), transaction.atomic():
            Hold.objects.filter(pk=hold.pk).update(**change)
    with pytest.raises(DatabaseError, match="cannot be deleted"), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).delete()
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.VOIDED


def test_the_database_refuses_a_capture_above_the_amount(user, wallet):
    fund(wallet, 10_000)
    hold = _hold(user)
    deposit = Transaction.objects.filter(kind=TransactionKind.DEPOSIT).get()
    settled = {"release_id": deposit.pk, "settled_at": timezone.now(), "capture_id": hold.authorization_id}
    with pytest.raises(IntegrityError, match="hold_captured_within_amount"), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(status=HoldStatus.CAPTURED, captured_amount=3_001, **settled)
    with pytest.raises(IntegrityError, match="hold_captured_within_amount"), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(status=HoldStatus.CAPTURED, captured_amount=0, **settled)
    with pytest.raises(IntegrityError, match="hold_settled_with_release"), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(status=HoldStatus.VOIDED)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Hold.objects.filter(pk=hold.pk).update(amount=1)
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.AUTHORIZED
