"""A stranger's payment: its description never becomes a link in the recipient's receipts, and a
sender who never paid a recipient before can push only a few payments to them per day."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from conftest import client_for, new_key, usd
from ledger.exceptions import NewRecipientDailyLimit
from ledger.idempotency import idempotency_request_build
from ledger.models import Transaction, TransactionKind
from ledger.services import wallet_transfer
from ledger.tests.conftest import fund
from ledger.tests.helpers import TEST_PIN
from vaultpay.money import currency_for
from wallets.models import Wallet
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db

PHISHING = "SECURITY ALERT your wallet is locked, verify at http://vaultpay-verify.example/login or www.vp-help.com"
# What a mail client or app would turn into a link by itself.
LINK = re.compile(r"https?://|www\.|vaultpay-verify\.example|vp-help\.com", re.IGNORECASE)


def post_transfer(sender, to_wallet, amount="0.01", description=""):
    body = {"to_wallet": to_wallet.public_id, "amount": amount, "currency": "USD", "pin": TEST_PIN}
    return client_for(sender).post(
        "/api/v1/transactions/transfer", body | {"description": description}, format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )  # fmt: skip


def test_a_strangers_description_is_never_a_link_in_receipts(
    user, wallet, other_user, other_wallet, django_capture_on_commit_callbacks
):
    fund(user, 1000)
    mail.outbox.clear()
    # when a stranger pays with a phishing text as the description
    with django_capture_on_commit_callbacks(execute=True):
        assert post_transfer(user, other_wallet, description=PHISHING).status_code == 201
    # then the recipient's email (text and HTML) and in-app notification carry it unlinkable
    received = next(m for m in mail.outbox if m.to == [other_user.email])
    for rendered in (received.body, received.alternatives[0][0]):
        assert "SECURITY ALERT" in rendered
        assert "http[:]//vaultpay-verify[.]example/login" in rendered
        assert not LINK.search(rendered)
    notification = Notification.objects.get(user=other_user, kind="transfer_received")
    assert not LINK.search(notification.data["description"])
    # and the ledger keeps what the sender wrote
    assert Transaction.objects.get(kind=TransactionKind.TRANSFER).description == PHISHING


def test_new_recipient_gets_at_most_the_daily_maximum_from_one_sender(
    user, wallet, other_user, other_wallet, settings, assert_reconciled
):
    settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX = 3
    fund(user, 1000)
    # when a sender who never paid other_user pushes four payments today
    statuses = [post_transfer(user, other_wallet).status_code for _ in range(3)]
    refused = post_transfer(user, other_wallet)
    # then the fourth is refused with a clear code, and moves nothing
    assert statuses == [201, 201, 201]
    assert refused.status_code == 403
    assert refused.json()["error"] == refused.json()["error"] | {
        "code": "new_recipient_daily_limit",
        "details": {"max_per_day": 3},
    }
    assert Wallet.objects.get(pk=other_wallet.pk).balance == 3
    # and another recipient is counted on their own
    third_wallet = wallet_create(owner=UserFactory(), currency=currency_for("USD"))
    assert post_transfer(user, third_wallet).status_code == 201
    assert_reconciled()


def test_a_recipient_paid_on_an_earlier_day_is_no_longer_new(user, wallet, other_wallet, settings):
    settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX = 1
    fund(user, 1000)
    assert post_transfer(user, other_wallet).status_code == 201
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        statuses = [post_transfer(user, other_wallet).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_to_a_new_recipient_stop_at_the_maximum(settings, assert_reconciled):
    settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX = 3
    sender, recipient = UserFactory(), UserFactory()
    wallet_create(owner=sender, currency=currency_for("USD"))
    to_wallet = wallet_create(owner=recipient, currency=currency_for("USD"))
    fund(sender, 1000)
    barrier, outcomes = threading.Barrier(6), []

    def push(_index):
        try:
            barrier.wait()
            idem = idempotency_request_build(user=sender, key=new_key(), operation="transfer", payload={"i": _index})
            wallet_transfer(sender=sender, to_wallet_id=to_wallet.public_id, amount=usd(1), idempotency=idem)
            outcomes.append("posted")
        except NewRecipientDailyLimit:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the sender's wallet lock makes them count one after the other: exactly the maximum went through
    assert sorted(outcomes) == ["posted"] * 3 + ["refused"] * 3
    assert Wallet.objects.get(pk=to_wallet.pk).balance == 3
    assert_reconciled()
