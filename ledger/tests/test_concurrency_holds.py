"""Real threads against PostgreSQL on one hold: capture, void and expiry race, and exactly one settles it."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import client_for
from ledger.exceptions import HoldNotAuthorized, InsufficientFunds
from ledger.idempotency import idempotency_request_build
from ledger.models import Hold, HoldStatus, Transaction, TransactionKind
from ledger.services.holds import hold_authorize, hold_capture, hold_void, holds_expire_due
from ledger.tests.helpers import TEST_PIN, fund
from vaultpay.money import Money, currency_for
from wallets.models import Wallet
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db(transaction=True)

USD = currency_for("USD")


def _run_threads(targets) -> list[BaseException]:
    """Start every target at once (a barrier), each on its own connection, closed when it is done."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def worker(target):
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _key(user, operation: str):
    return idempotency_request_build(user=user, key=str(uuid.uuid4()), operation=operation, payload={})


def _hold(user, minor: int, **extra) -> Hold:
    return hold_authorize(user=user, amount=Money(minor, USD), idempotency=_key(user, "hold"), **extra).hold


@pytest.fixture
def parties():
    owner, payee = UserFactory(), UserFactory()
    return owner, wallet_create(owner=owner, currency=USD), wallet_create(owner=payee, currency=USD)


def test_capture_void_and_expiry_racing_on_one_hold_settle_it_once(parties, assert_reconciled):
    owner, wallet, payee_wallet = parties
    fund(wallet, 100_000)
    rounds = 6
    winners = []
    for _ in range(rounds):
        hold = _hold(owner, 1_000, to_wallet_id=payee_wallet.public_id, expires_in=timedelta(hours=1))
        won = []

        def capture(hold=hold, won=won):
            try:
                hold_capture(user=owner, hold_id=hold.pk, amount=None, idempotency=_key(owner, "capture"))
                won.append("captured")
            except HoldNotAuthorized:
                pass

        def void(hold=hold, won=won):
            try:
                hold_void(user=owner, hold_id=hold.pk, idempotency=_key(owner, "void"))
                won.append("voided")
            except HoldNotAuthorized:
                pass

        def expire(won=won):
            # Past the hold's expiry for the sweep; the capture still sees it in time.
            if holds_expire_due(now=timezone.now() + timedelta(hours=2)):
                won.append("expired")

        errors = _run_threads([capture, void, expire])
        assert errors == []
        assert len(won) == 1, won
        settled = Hold.objects.get(pk=hold.pk)
        assert settled.status == won[0]
        assert Transaction.objects.filter(pk=settled.release_id, kind=TransactionKind.HOLD_RELEASE).exists()
        assert bool(settled.capture_id) == (won[0] == HoldStatus.CAPTURED)
        winners.append(won[0])
    # every hold released once, and the payee paid once per captured hold, never more
    assert Transaction.objects.filter(kind=TransactionKind.HOLD_RELEASE).count() == rounds
    captured = winners.count(HoldStatus.CAPTURED)
    assert Transaction.objects.filter(kind=TransactionKind.HOLD_CAPTURE).count() == captured
    wallet.refresh_from_db()
    payee_wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold, payee_wallet.balance) == (100_000 - 1_000 * captured, 0, 1_000 * captured)
    assert_reconciled()


def test_two_captures_with_different_keys_one_wins_one_is_refused(parties, assert_reconciled):
    owner, wallet, payee_wallet = parties
    fund(wallet, 10_000)
    hold = _hold(owner, 3_000, to_wallet_id=payee_wallet.public_id)
    responses = []

    def capture(amount):
        def post():
            response = client_for(owner).post(
                f"/api/v1/holds/{hold.pk}/capture",
                {"amount": amount, "pin": TEST_PIN},
                format="json",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            )
            responses.append((response.status_code, response.json()))

        return post

    errors = _run_threads([capture("30.00"), capture("20.00")])
    assert errors == []
    assert sorted(status for status, _ in responses) == [201, 409]
    [(_, refused)] = [(s, body) for s, body in responses if s == 409]
    [(_, won)] = [(s, body) for s, body in responses if s == 201]
    assert refused["error"]["code"] == "hold_not_authorized"
    settled = Hold.objects.get(pk=hold.pk)
    assert (settled.status, settled.captured_amount) == (
        HoldStatus.CAPTURED,
        {"30.00": 3_000, "20.00": 2_000}[won["captured_amount"]],
    )
    payee_wallet.refresh_from_db()
    assert payee_wallet.balance == settled.captured_amount
    assert Transaction.objects.filter(kind=TransactionKind.HOLD_CAPTURE).count() == 1
    assert_reconciled()


def test_concurrent_holds_never_set_aside_more_than_the_balance(parties, assert_reconciled):
    owner, wallet, _ = parties
    fund(wallet, 10_000)
    refused = []

    def authorize():
        try:
            _hold(owner, 3_000)
        except InsufficientFunds:
            refused.append(1)

    errors = _run_threads([authorize] * 5)
    assert errors == []
    assert (len(refused), Hold.objects.count()) == (2, 3)
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold) == (1_000, 9_000)
    assert_reconciled()


def test_the_sweep_waits_for_a_busy_wallet_instead_of_skipping_its_hold(parties, assert_reconciled):
    # given a due hold whose wallet row another posting holds for a moment (nobody is settling the hold)
    owner, wallet, _ = parties
    fund(wallet, 10_000)
    hold = _hold(owner, 3_000, expires_in=timedelta(minutes=1))
    locked, release_lock = threading.Event(), threading.Event()

    def busy_wallet():
        with transaction.atomic():
            Wallet.objects.select_for_update().get(pk=wallet.pk)
            locked.set()
            release_lock.wait(timeout=10)

    holder = threading.Thread(target=lambda: (busy_wallet(), connection.close()))
    holder.start()
    assert locked.wait(timeout=10)
    threading.Timer(0.5, release_lock.set).start()
    # when the sweep runs meanwhile, it waits for the wallet rather than leave the hold for a later pass
    expired = holds_expire_due(now=timezone.now() + timedelta(minutes=2))
    holder.join()
    assert expired == 1
    assert Hold.objects.get(pk=hold.pk).status == HoldStatus.EXPIRED
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold) == (10_000, 0)
    assert_reconciled()
