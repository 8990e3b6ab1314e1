"""Refunds racing on PostgreSQL: real threads, real row locks. Money returned never exceeds the payment."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from audit.models import AuditEvent, AuditEventType
from ledger.exceptions import (
    IdempotencyRequestInProgress,
    InsufficientFunds,
    RefundExceedsAmount,
    ReversalExceedsAmount,
)
from ledger.idempotency import idempotency_request_build
from ledger.models import Transaction, TransactionKind, TransactionStatus
from ledger.services import transaction_reverse, wallet_withdraw
from ledger.services.refunds import transaction_refund
from vaultpay.money import Money, currency_for
from wallets.models import Wallet

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Run the calls at the same moment, each in its own thread and connection; each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # the test inspects what each thread got
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _refund(receiver, payment, amount: str | None, key: str | None = None):
    def call():
        idempotency = idempotency_request_build(
            user=receiver, key=key or str(uuid.uuid4()), operation="refund", payload={"amount": amount}
        )
        return transaction_refund(user=receiver, transaction_id=payment.pk, amount=amount, idempotency=idempotency)

    return call


def _reverse(payment, moderator, amount: int | None):
    def call():
        with transaction.atomic(durable=True):
            return transaction_reverse(original_id=payment.pk, amount=amount, actor=moderator)

    return call


def _returned(payment) -> int:
    return Transaction.objects.filter(reverses=payment).aggregate(total=Sum("amount"))["total"] or 0


def _balances(*wallets) -> list[int]:
    return [Wallet.objects.get(pk=w.pk).balance for w in wallets]


def _errors_other_than(outcomes, *expected) -> list:
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, expected)]


def test_two_refunds_that_together_exceed_the_payment_post_one(
    other_user, wallet, other_wallet, paid, assert_reconciled
):
    outcomes = _race(_refund(other_user, paid, "30.00"), _refund(other_user, paid, "30.00"))

    assert _errors_other_than(outcomes, RefundExceedsAmount) == []
    assert sum(isinstance(o, RefundExceedsAmount) for o in outcomes) == 1
    refused = next(o for o in outcomes if isinstance(o, RefundExceedsAmount))
    assert refused.details == {"remaining": "10.00"}
    assert _returned(paid) == 3000
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.PARTIALLY_REFUNDED
    assert _balances(wallet, other_wallet) == [9000, 1000]
    assert AuditEvent.objects.filter(event_type=AuditEventType.REFUND_POSTED).count() == 1
    assert_reconciled()


def test_many_small_refunds_at_once_stop_at_the_payment(other_user, wallet, other_wallet, paid, assert_reconciled):
    outcomes = _race(*[_refund(other_user, paid, "10.00") for _ in range(6)])

    assert _errors_other_than(outcomes, RefundExceedsAmount) == []
    assert sum(isinstance(o, RefundExceedsAmount) for o in outcomes) == 2
    assert Transaction.objects.filter(reverses=paid, kind=TransactionKind.REFUND).count() == 4
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.REFUNDED
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert_reconciled()


def test_a_refund_racing_a_reversal_never_returns_more_than_the_payment(
    other_user, wallet, other_wallet, paid, moderator, assert_reconciled
):
    outcomes = _race(_refund(other_user, paid, "30.00"), _reverse(paid, moderator, 3000))

    assert _errors_other_than(outcomes, RefundExceedsAmount, ReversalExceedsAmount) == []
    assert sum(isinstance(o, Exception) for o in outcomes) == 1
    assert _returned(paid) == 3000
    assert _balances(wallet, other_wallet) == [9000, 1000]
    assert_reconciled()


def test_a_full_refund_racing_a_full_reversal_returns_the_payment_once(
    other_user, wallet, other_wallet, paid, moderator, assert_reconciled
):
    outcomes = _race(_refund(other_user, paid, None), _reverse(paid, moderator, None))

    assert _errors_other_than(outcomes, RefundExceedsAmount, ReversalExceedsAmount) == []
    assert sum(isinstance(o, Exception) for o in outcomes) == 1
    assert _returned(paid) == 4000
    assert Transaction.objects.filter(reverses=paid).count() == 1
    expected_status = TransactionStatus.REVERSED if isinstance(outcomes[0], Exception) else TransactionStatus.REFUNDED
    assert Transaction.objects.get(pk=paid.pk).status == expected_status
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert_reconciled()


def test_one_refund_request_sent_many_times_at_once_posts_once(
    other_user, wallet, other_wallet, paid, assert_reconciled
):
    outcomes = _race(*[_refund(other_user, paid, "15.00", key="same-refund") for _ in range(8)])

    assert _errors_other_than(outcomes, IdempotencyRequestInProgress) == []
    results = [o for o in outcomes if not isinstance(o, Exception)]
    assert sum(not r.replayed for r in results) == 1
    assert len({r.transaction.pk for r in results}) == 1
    assert Transaction.objects.filter(kind=TransactionKind.REFUND).count() == 1
    assert _balances(wallet, other_wallet) == [7500, 2500]
    assert_reconciled()


def test_a_refund_racing_the_receivers_own_spending_never_overdraws(
    other_user, wallet, other_wallet, paid, assert_reconciled
):
    def withdraw_thirty():
        idempotency = idempotency_request_build(user=other_user, key=str(uuid.uuid4()), operation="w", payload={})
        return wallet_withdraw(user=other_user, amount=Money(3000, currency_for("USD")), idempotency=idempotency)

    outcomes = _race(_refund(other_user, paid, "30.00"), withdraw_thirty)

    assert _errors_other_than(outcomes, InsufficientFunds) == []
    assert sum(isinstance(o, InsufficientFunds) for o in outcomes) == 1
    assert Wallet.objects.get(pk=other_wallet.pk).balance == 1000
    refunded = not isinstance(outcomes[0], Exception)
    assert _returned(paid) == (3000 if refunded else 0)
    assert Wallet.objects.get(pk=wallet.pk).balance == (9000 if refunded else 6000)
    assert_reconciled()
