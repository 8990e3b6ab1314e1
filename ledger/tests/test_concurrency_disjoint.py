"""No lock is shared by postings on disjoint wallets: one posting held open never holds up the others."""

import threading
import uuid

import pytest
from django.db import connection, transaction

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.idempotency import idempotency_request_build
from ledger.models import Transaction
from ledger.services import wallet_deposit, wallet_transfer, wallet_withdraw
from ledger.tests.helpers import fund
from vaultpay.money import Money, currency_for
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db(transaction=True)

USD = currency_for("USD")


def _key(user):
    return idempotency_request_build(user=user, key=str(uuid.uuid4()), operation="test", payload={})


def _funded_users(count: int):
    users = [UserFactory() for _ in range(count)]
    for user in users:
        fund(wallet_create(owner=user, currency=USD), 100_00)
    return users


def _hold_a_transfer_open(sender, recipient_wallet, posted: threading.Event, release: threading.Event, errors: list):
    try:
        with transaction.atomic():
            wallet_transfer(
                sender=sender, to_wallet_id=recipient_wallet, amount=Money(5_00, USD), idempotency=_key(sender)
            )
            posted.set()  # its wallets are locked, its entries, audit event and outbox row written: not committed
            release.wait(timeout=30)
    except BaseException as exc:  # asserted on by the test
        errors.append(exc)
    finally:
        connection.close()


def test_postings_on_other_wallets_commit_while_one_posting_is_held_open(assert_reconciled):
    alice, bob, carol, dave, erin = _funded_users(5)
    posted, release, errors = threading.Event(), threading.Event(), []
    holder = threading.Thread(
        target=_hold_a_transfer_open, args=(alice, bob.wallets.get().public_id, posted, release, errors)
    )
    holder.start()
    assert posted.wait(timeout=30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a shared lock would fail these instead of hanging the suite
        # deposits and withdrawals in the same currency, a transfer, and an audit event elsewhere
        wallet_deposit(user=carol, amount=Money(7_00, USD), idempotency=_key(carol))
        wallet_withdraw(user=dave, amount=Money(3_00, USD), idempotency=_key(dave))
        wallet_transfer(
            sender=erin, to_wallet_id=carol.wallets.get().public_id, amount=Money(2_00, USD), idempotency=_key(erin)
        )
        committed_meanwhile = Transaction.objects.filter(initiator__in=[carol, dave, erin]).count()
        assert not Transaction.objects.filter(initiator=alice, kind="transfer").exists()  # still uncommitted
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert errors == []
    assert committed_meanwhile == 3 + 3  # the three postings, and the three funding deposits
    assert Transaction.objects.filter(initiator=alice, kind="transfer").count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.MONEY_POSTED).count() == 5 + 4
    assert_reconciled()
