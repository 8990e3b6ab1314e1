"""PostgreSQL itself refuses edits of entries, deletes of transactions and unbalanced commits."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from ledger.models import Entry, EntryDirection, Transaction, TransactionKind, TransactionStatus
from ledger.tests.helpers import fund

pytestmark = pytest.mark.django_db(transaction=True)


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_an_entry_fails(wallet):
    fund(wallet, 1000)
    with pytest.raises(DatabaseError, match="immutable"):
        _raw("UPDATE ledger_entry SET amount = amount + 1")
    assert set(Entry.objects.values_list("amount", flat=True)) == {1000}


def test_raw_delete_of_an_entry_fails(wallet):
    fund(wallet, 1000)
    with pytest.raises(DatabaseError, match="immutable"):
        _raw("DELETE FROM ledger_entry")
    assert Entry.objects.count() == 2


def test_transaction_money_fields_are_immutable_but_status_may_change(wallet):
    fund(wallet, 1000)
    txn = Transaction.objects.get()
    with pytest.raises(DatabaseError, match="immutable"):
        _raw("UPDATE ledger_transaction SET amount = 1")
    with pytest.raises(DatabaseError, match="cannot be deleted"):
        _raw("DELETE FROM ledger_transaction")
    Transaction.objects.filter(pk=txn.pk).update(status=TransactionStatus.REVERSED)
    txn.refresh_from_db()
    assert txn.status == TransactionStatus.REVERSED and txn.amount == 1000


def test_an_unbalanced_transaction_cannot_commit(wallet, other_wallet):
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        txn = Transaction.objects.create(
            kind=TransactionKind.TRANSFER, amount=500, currency="USD", from_wallet=wallet, to_wallet=other_wallet
        )
        Entry.objects.create(
            transaction=txn, wallet=wallet, direction=EntryDirection.DEBIT, amount=500, currency="USD", balance_after=0
        )
        Entry.objects.create(
            transaction=txn,
            wallet=other_wallet,
            direction=EntryDirection.CREDIT,
            amount=400,
            currency="USD",
            balance_after=400,
        )
    assert not Transaction.objects.exists()


def test_a_transaction_without_entries_cannot_commit(wallet, other_wallet):
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        Transaction.objects.create(
            kind=TransactionKind.TRANSFER, amount=500, currency="USD", from_wallet=wallet, to_wallet=other_wallet
        )
    assert not Transaction.objects.exists()
