"""Races on PostgreSQL: real threads, real row locks. Reversals never exceed the original."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from ledger.exceptions import DisputeExists, DisputeTransitionInvalid, ReversalExceedsAmount
from ledger.models import Dispute, DisputeStatus, Transaction, TransactionKind, TransactionStatus
from ledger.services import dispute_open, dispute_reverse, transaction_reverse
from ledger.tests.conftest import grant
from wallets.models import Wallet

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls at the same moment in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # the test inspects what each thread got
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_moderators_reversing_one_dispute_reverse_once(
    user, wallet, other_wallet, paid, moderator, assert_reconciled
):
    second_moderator = grant(type(moderator).objects.create_user("mod2@example.com", "x"), "ledger.reverse_dispute")
    dispute = dispute_open(user=user, transaction_id=paid.pk, reason="Not me")

    outcomes = race(
        lambda: dispute_reverse(moderator=moderator, dispute_id=dispute.pk),
        lambda: dispute_reverse(moderator=second_moderator, dispute_id=dispute.pk, amount="30.00"),
    )

    assert sum(isinstance(o, Dispute) for o in outcomes) == 1
    assert sum(isinstance(o, DisputeTransitionInvalid) for o in outcomes) == 1
    reversals = Transaction.objects.filter(reverses=paid)
    assert reversals.count() == 1
    reversed_amount = reversals.get().amount
    assert Dispute.objects.get(pk=dispute.pk).reversed_amount == reversed_amount
    assert Wallet.objects.get(pk=wallet.pk).balance == 6000 + reversed_amount
    assert_reconciled()


def test_concurrent_reversals_of_one_transaction_never_exceed_its_amount(paid, moderator, assert_reconciled):
    def reverse_70_percent():
        with transaction.atomic(durable=True):
            return transaction_reverse(original_id=paid.pk, amount=2800, actor=moderator)

    outcomes = race(reverse_70_percent, reverse_70_percent, reverse_70_percent)

    assert sum(isinstance(o, ReversalExceedsAmount) for o in outcomes) == 2
    total = Transaction.objects.filter(reverses=paid).aggregate(total=Sum("amount"))["total"]
    assert total == 2800 <= paid.amount
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.PARTIALLY_REVERSED
    assert_reconciled()


def test_two_parties_opening_at_once_get_one_dispute(user, other_user, paid):
    outcomes = race(
        lambda: dispute_open(user=user, transaction_id=paid.pk, reason="a"),
        lambda: dispute_open(user=other_user, transaction_id=paid.pk, reason="b"),
    )
    assert sum(isinstance(o, Dispute) for o in outcomes) == 1
    assert sum(isinstance(o, DisputeExists) for o in outcomes) == 1
    assert Dispute.objects.filter(status=DisputeStatus.OPEN).count() == 1


def test_guard_allows_the_status_change_and_nothing_else(paid):
    Transaction.objects.filter(pk=paid.pk).update(status=TransactionStatus.PARTIALLY_REVERSED)
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.PARTIALLY_REVERSED

    with pytest.raises(DatabaseError, match="immutable"):
        with transaction.atomic():
            Transaction.objects.filter(pk=paid.pk).update(amount=1)
    with pytest.raises(DatabaseError, match="immutable"):
        with transaction.atomic():
            Transaction.objects.filter(pk=paid.pk).update(kind=TransactionKind.REVERSAL)
    assert Transaction.objects.get(pk=paid.pk).amount == 4000


def test_database_refuses_reversals_beyond_the_amount_even_without_the_lock(paid, wallet, other_wallet):
    def insert_reversal(amount):
        Transaction.objects.create(
            kind=TransactionKind.REVERSAL,
            amount=amount,
            currency="USD",
            from_wallet=other_wallet,
            to_wallet=wallet,
            reverses=paid,
        )

    # No entries on purpose: the guard fires at INSERT, before the balance check at commit.
    with pytest.raises(DatabaseError, match="would total 4001 of 4000"):
        with transaction.atomic():
            insert_reversal(4001)
    with pytest.raises(DatabaseError, match="would total 4001 of 4000"):
        with transaction.atomic():
            insert_reversal(3000)
            insert_reversal(1001)
    assert not Transaction.objects.filter(reverses=paid).exists()
