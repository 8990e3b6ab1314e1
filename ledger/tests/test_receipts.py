"""Receipts leave only for committed postings, once per recipient, and never touch the money."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import EmailDelivery, EmailDeliveryStatus, Notification
from conftest import client_for, new_key
from ledger.models import OutboxMessage, Transaction
from ledger.outbox import outbox_relay_batch
from ledger.tasks import send_transaction_receipts
from ledger.tests.conftest import fund, pay
from ledger.tests.helpers import TEST_PIN  # noqa: E402
from wallets.models import Wallet

pytestmark = pytest.mark.django_db


def post_transfer(sender, to_wallet, amount="12.50"):
    return client_for(sender).post(
        "/api/v1/transactions/transfer",
        {
            "to_wallet": to_wallet.public_id,
            "amount": amount,
            "currency": "USD",
            "description": "Dinner",
            "pin": TEST_PIN,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )


def test_transfer_sends_one_receipt_to_each_party(
    user, wallet, other_user, other_wallet, django_capture_on_commit_callbacks, assert_reconciled
):
    fund(user, 10000)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_transfer(user, other_wallet)
    assert response.status_code == 201, response.json()
    txn_id = response.json()["id"]

    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert by_address[user.email].subject == f"You sent 12.50 USD to {other_user.display_name}"
    assert "New balance: 87.50 USD" in by_address[user.email].body
    assert by_address[other_user.email].subject == f"You received 12.50 USD from {user.display_name}"
    assert "New balance: 12.50 USD" in by_address[other_user.email].body
    assert other_user.email not in by_address[user.email].body  # counterparties see names, never emails
    deliveries = EmailDelivery.objects.filter(event_key__startswith=f"txn:{txn_id}:")
    assert sorted(d.template for d in deliveries) == ["transfer_received", "transfer_sent"]
    assert all(d.status == EmailDeliveryStatus.SENT for d in deliveries)
    assert Notification.objects.get(user=other_user, kind="transfer_received").data["reference"]

    # The broker redelivers the receipt task: nothing is sent twice.
    send_transaction_receipts.apply(args=[[txn_id]])
    assert len(mail.outbox) == 2
    assert EmailDelivery.objects.filter(event_key__startswith=f"txn:{txn_id}:").count() == 2
    assert_reconciled()


def test_rolled_back_posting_sends_nothing(
    user, wallet, other_wallet, django_capture_on_commit_callbacks, assert_reconciled
):
    fund(user, 10000)
    # given a posting whose transaction fails after the posting wrote its entries and its outbox row
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            pay(user, other_wallet, 12_50)
            raise RuntimeError("crash")

    assert callbacks == []
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()
    assert Transaction.objects.count() == 1  # only the deposit
    assert list(OutboxMessage.objects.values_list("subject_id", flat=True)) == [str(Transaction.objects.get().pk)]
    assert Wallet.objects.get(pk=wallet.pk).balance == 10000
    assert_reconciled()


def test_failing_email_provider_never_touches_the_money(
    user, wallet, other_wallet, settings, django_capture_on_commit_callbacks, assert_reconciled
):
    fund(user, 10000)
    settings.EMAIL_BACKEND = "accounts.tests.test_services_emails.FailingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        response = post_transfer(user, other_wallet)

    assert response.status_code == 201
    assert [Wallet.objects.get(pk=w.pk).balance for w in (wallet, other_wallet)] == [8750, 1250]
    failed = EmailDelivery.objects.filter(status=EmailDeliveryStatus.FAILED)
    assert failed.count() == 2
    assert all(d.last_error == "ConnectionError: provider down" for d in failed)
    assert_reconciled()


def test_broker_outage_is_logged_not_raised(user, wallet, other_wallet, django_capture_on_commit_callbacks):
    fund(user, 10000)
    with mock.patch.object(send_transaction_receipts, "delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_transfer(user, other_wallet)
    assert response.status_code == 201


def test_receipts_held_up_by_a_broker_outage_leave_the_outbox_once_it_is_back(
    user, wallet, other_user, other_wallet, django_capture_on_commit_callbacks
):
    # given a transfer whose receipts could not be published (the broker is down)
    with django_capture_on_commit_callbacks(execute=True):
        fund(user, 10000)  # this deposit's receipts go out as usual
    with mock.patch.object(send_transaction_receipts, "delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_transfer(user, other_wallet)
    sent = Transaction.objects.get(pk=response.json()["id"])
    assert list(OutboxMessage.objects.values_list("topic", "subject_id")) == [("transaction.receipts", str(sent.pk))]
    assert not EmailDelivery.objects.filter(template__startswith="transfer_").exists()
    # when the relay runs again: the message leaves once
    with django_capture_on_commit_callbacks(execute=True):
        assert len(outbox_relay_batch()) == 1
    assert outbox_relay_batch() == []
    # then each party got its receipt, once
    deliveries = EmailDelivery.objects.filter(template__startswith="transfer_")
    assert sorted(deliveries.values_list("recipient_id", "template")) == sorted(
        [(user.pk, "transfer_sent"), (other_user.pk, "transfer_received")]
    )
    assert Notification.objects.filter(event_key__startswith=f"txn:{sent.pk}:").count() == 2


def test_a_delivered_receipt_leaves_the_outbox_empty(user, wallet, other_wallet, django_capture_on_commit_callbacks):
    fund(user, 10000)
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_transfer(user, other_wallet).json()["id"]
    assert not OutboxMessage.objects.filter(subject_id=sent).exists()


@pytest.mark.parametrize(
    ("path", "template", "balance"),
    [("/api/v1/transactions/deposit", "deposit", "150.00"), ("/api/v1/transactions/withdraw", "withdrawal", "50.00")],
)
def test_deposit_and_withdrawal_receipts(user, wallet, path, template, balance, django_capture_on_commit_callbacks):
    fund(user, 10000)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            path, {"amount": "50.00", "currency": "USD", "pin": TEST_PIN}, format="json", HTTP_IDEMPOTENCY_KEY=new_key()
        )
    assert response.status_code == 201
    delivery = EmailDelivery.objects.get(template=template)
    assert delivery.recipient == user
    assert f"New balance: {balance} USD" in mail.outbox[-1].body
