"""Two payments racing near the limit: the check runs under the wallet lock, so only one passes."""

import threading

import pytest
from django.db import connection

from conftest import new_key, usd
from ledger.idempotency import IdempotencyRequest
from ledger.models import Transaction
from ledger.services import wallet_deposit, wallet_transfer
from wallets.exceptions import LimitExceeded
from wallets.models import Wallet


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transfers_cannot_jointly_exceed_the_daily_limit(user, wallet, other_wallet, assert_reconciled):
    # given 200.00 of the 500.00 daily limit used, and two transfers of 200.00 each racing
    wallet_deposit(user=user, amount=usd(1_000_00), idempotency=IdempotencyRequest(user, new_key(), new_key()))
    wallet_transfer(
        sender=user,
        to_wallet_id=other_wallet.public_id,
        amount=usd(200_00),
        idempotency=IdempotencyRequest(user, new_key(), new_key()),
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send():
        try:
            barrier.wait()
            wallet_transfer(
                sender=user,
                to_wallet_id=other_wallet.public_id,
                amount=usd(200_00),
                idempotency=IdempotencyRequest(user, new_key(), new_key()),
            )
            outcomes.append("posted")
        except LimitExceeded:
            outcomes.append("limit_exceeded")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["limit_exceeded", "posted"]
    assert Transaction.objects.filter(kind="transfer").count() == 2
    assert Wallet.objects.get(pk=wallet.pk).balance == 600_00
    assert_reconciled()
