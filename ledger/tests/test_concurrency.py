"""Real threads against PostgreSQL: row locks in primary-key order, advisory-locked idempotency keys."""

import random
import threading
import uuid

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from ledger.exceptions import IdempotencyRequestInProgress, InsufficientFunds
from ledger.idempotency import idempotency_request_build
from ledger.models import Transaction
from ledger.services import wallet_transfer
from ledger.tests.helpers import fund
from vaultpay.money import Money, currency_for
from wallets.models import LimitTier, Wallet
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db(transaction=True)

USD = currency_for("USD")


def _run_threads(count: int, target) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def worker(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_random_transfers_conserve_money_without_deadlocks(assert_reconciled, settings):
    # Nor is the cap on payments to a new recipient: random pairs repeat.
    settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX = 10_000
    users = [UserFactory() for _ in range(10)]
    wallets = [wallet_create(owner=u, currency=USD) for u in users]
    for wallet in wallets:
        fund(wallet, 10_000)
    # Spending limits are not under test here: give every sender the roomiest tier.
    Wallet.objects.filter(pk__in=[w.pk for w in wallets]).update(limit_tier=LimitTier.VERIFIED)
    total_before = sum(Wallet.objects.filter(kind="user").values_list("balance", flat=True))
    refused = []

    def send_randomly(index):
        rng = random.Random(index)
        for _ in range(200):
            sender, receiver = rng.sample(range(10), 2)
            try:
                wallet_transfer(
                    sender=users[sender],
                    to_wallet_id=wallets[receiver].public_id,
                    amount=Money(rng.randint(1, 3_000), USD),
                    idempotency=idempotency_request_build(
                        user=users[sender], key=str(uuid.uuid4()), operation="transfer", payload={}
                    ),
                )
            except InsufficientFunds:
                refused.append(1)

    errors = _run_threads(8, send_randomly)
    assert errors == []  # in particular no deadlock_detected and no serialization failure
    balances = list(Wallet.objects.filter(kind="user").values_list("balance", flat=True))
    assert sum(balances) == total_before
    assert min(balances) >= 0
    assert Transaction.objects.filter(kind="transfer").count() == 8 * 200 - len(refused)
    assert_reconciled()


def test_twenty_threads_with_one_key_post_exactly_once(assert_reconciled):
    sender, receiver = UserFactory(), UserFactory()
    wallet = wallet_create(owner=sender, currency=USD)
    target = wallet_create(owner=receiver, currency=USD)
    fund(wallet, 10_000)
    outcomes = []

    def send_same_request(index):
        try:
            result = wallet_transfer(
                sender=sender,
                to_wallet_id=target.public_id,
                amount=Money(700, USD),
                idempotency=idempotency_request_build(
                    user=sender, key="one-key", operation="transfer", payload={"amount": 700}
                ),
            )
            outcomes.append("replayed" if result.replayed else "posted")
        except IdempotencyRequestInProgress:
            outcomes.append("in_progress")

    errors = _run_threads(20, send_same_request)
    assert errors == []
    assert outcomes.count("posted") == 1
    assert set(outcomes) <= {"posted", "replayed", "in_progress"}
    assert Transaction.objects.filter(kind="transfer").count() == 1
    target.refresh_from_db()
    assert target.balance == 700
    assert_reconciled()


def test_concurrent_withdrawals_never_overdraw(assert_reconciled):
    from ledger.services import wallet_withdraw

    owner = UserFactory()
    wallet = wallet_create(owner=owner, currency=USD)
    fund(wallet, 1_000)
    succeeded = []

    def withdraw_three_dollars(index):
        try:
            wallet_withdraw(
                user=owner,
                amount=Money(300, USD),
                idempotency=idempotency_request_build(user=owner, key=f"w{index}", operation="withdraw", payload={}),
            )
            succeeded.append(index)
        except InsufficientFunds:
            pass

    assert _run_threads(10, withdraw_three_dollars) == []
    wallet.refresh_from_db()
    assert len(succeeded) == 3
    assert wallet.balance == 100
    assert_reconciled()
