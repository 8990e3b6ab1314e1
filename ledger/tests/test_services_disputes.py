"""Every dispute transition, who may make it, and what it does to the money."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import EmailDelivery, Notification
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.exceptions import (
    DisputeAmountInvalid,
    DisputeExists,
    DisputeNotAllowed,
    DisputePermissionDenied,
    DisputeTransitionInvalid,
    DisputeWindowClosed,
    ReversalExceedsAmount,
    ReversalInsufficientFunds,
    TransactionNotFound,
)
from ledger.models import Dispute, DisputeStatus, Entry, Transaction, TransactionKind, TransactionStatus
from ledger.selectors import wallet_balance_from_entries
from ledger.services import dispute_open, dispute_reject, dispute_reverse, dispute_take
from ledger.tests.conftest import pay
from vaultpay.errors import ValidationFailed
from vaultpay.money import currency_for
from wallets.models import SystemWalletPurpose, Wallet
from wallets.services import wallet_create, wallet_system_get

pytestmark = pytest.mark.django_db


def balances(*wallets):
    return [Wallet.objects.get(pk=w.pk).balance for w in wallets]


def open_dispute(user, txn, amount=None):
    return dispute_open(user=user, transaction_id=txn.pk, reason="I did not authorise this", amount=amount)


# --- opening ---------------------------------------------------------------------------------


def test_party_opens_dispute_with_deadline_audit_and_notifications(user, other_user, paid, settings):
    dispute = open_dispute(user, paid)

    assert dispute.status == DisputeStatus.OPEN
    assert dispute.amount == 4000
    assert dispute.deadline_at > timezone.now() + timedelta(days=settings.DISPUTE_REVIEW_DAYS - 1)
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_OPENED, target_id=str(dispute.pk)).exists()
    kinds = Notification.objects.filter(event_key=f"dispute:{dispute.pk}:opened").values_list("user", flat=True)
    assert sorted(kinds) == sorted([user.pk, other_user.pk])


def test_receiver_may_dispute_a_part(other_user, paid):
    dispute = open_dispute(other_user, paid, amount="5.00")
    assert dispute.amount == 500


def test_non_party_gets_not_found(paid):
    with pytest.raises(TransactionNotFound):
        open_dispute(UserFactory(), paid)


def test_one_pending_dispute_per_transaction(user, other_user, paid):
    open_dispute(user, paid)
    with pytest.raises(DisputeExists):
        open_dispute(other_user, paid)


def test_dispute_window_closes(user, paid, settings):
    with time_machine.travel(timezone.now() + timedelta(days=settings.DISPUTE_WINDOW_DAYS, minutes=1)):
        with pytest.raises(DisputeWindowClosed):
            open_dispute(user, paid)


def test_amount_above_transaction_refused(user, paid):
    with pytest.raises(DisputeAmountInvalid):
        open_dispute(user, paid, amount="40.01")


def test_reversal_cannot_be_disputed(user, paid, moderator):
    dispute_reverse(moderator=moderator, dispute_id=open_dispute(user, paid).pk, amount="10.00")
    reversal = Transaction.objects.get(kind=TransactionKind.REVERSAL)
    with pytest.raises(DisputeNotAllowed):
        open_dispute(user, reversal)


# --- take / reject ---------------------------------------------------------------------------


def test_take_moves_to_under_review_and_needs_permission(user, paid, moderator):
    dispute = open_dispute(user, paid)
    with pytest.raises(DisputePermissionDenied):
        dispute_take(moderator=UserFactory(is_staff=True), dispute_id=dispute.pk)

    taken = dispute_take(moderator=moderator, dispute_id=dispute.pk)

    assert taken.status == DisputeStatus.UNDER_REVIEW
    assert taken.assigned_to == moderator
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_TAKEN, actor=moderator).exists()
    assert Notification.objects.filter(event_key=f"dispute:{dispute.pk}:under_review").count() == 2
    with pytest.raises(DisputeTransitionInvalid):
        dispute_take(moderator=moderator, dispute_id=dispute.pk)


@pytest.mark.parametrize("take_first", [False, True])
def test_reject_with_reason_from_open_or_under_review(user, paid, reviewer, take_first, assert_reconciled):
    dispute = open_dispute(user, paid)
    if take_first:
        dispute_take(moderator=reviewer, dispute_id=dispute.pk)

    rejected = dispute_reject(moderator=reviewer, dispute_id=dispute.pk, reason="Payment was authorised with PIN")

    assert rejected.status == DisputeStatus.REJECTED
    assert rejected.decided_by == reviewer
    assert rejected.decision_reason == "Payment was authorised with PIN"
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.POSTED
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()
    event = AuditEvent.objects.get(event_type=AuditEventType.DISPUTE_REJECTED)
    assert event.new_values["reason"] == "Payment was authorised with PIN"
    with pytest.raises(DisputeTransitionInvalid):
        dispute_reject(moderator=reviewer, dispute_id=dispute.pk, reason="again")
    assert_reconciled()


def test_reject_needs_reason_and_permission(user, paid, reviewer):
    dispute = open_dispute(user, paid)
    with pytest.raises(ValidationFailed):
        dispute_reject(moderator=reviewer, dispute_id=dispute.pk, reason="  ")
    with pytest.raises(DisputePermissionDenied):
        dispute_reject(moderator=UserFactory(is_staff=True), dispute_id=dispute.pk, reason="no")
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


def test_a_new_dispute_may_follow_a_rejected_one(user, paid, reviewer):
    dispute_reject(moderator=reviewer, dispute_id=open_dispute(user, paid).pk, reason="no")
    assert open_dispute(user, paid).status == DisputeStatus.OPEN


# --- reverse ---------------------------------------------------------------------------------


def test_full_reversal_moves_money_back_and_marks_both(user, wallet, other_wallet, paid, moderator, assert_reconciled):
    dispute = open_dispute(user, paid)

    resolved = dispute_reverse(moderator=moderator, dispute_id=dispute.pk)

    assert resolved.status == DisputeStatus.RESOLVED_REVERSED
    assert resolved.reversed_amount == 4000
    assert balances(wallet, other_wallet) == [10000, 0]
    reversal = Transaction.objects.get(kind=TransactionKind.REVERSAL)
    assert reversal.reverses_id == paid.pk
    assert (reversal.from_wallet_id, reversal.to_wallet_id, reversal.amount) == (other_wallet.pk, wallet.pk, 4000)
    assert reversal.metadata["dispute"] == str(dispute.pk)
    original = Transaction.objects.get(pk=paid.pk)
    assert original.status == TransactionStatus.REVERSED
    assert (original.amount, original.from_wallet_id) == (4000, wallet.pk)  # nothing else changed
    assert Entry.objects.filter(transaction=paid).count() == 2
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_REVERSED, actor=moderator).exists()
    assert Notification.objects.filter(event_key=f"dispute:{dispute.pk}:decided").count() == 2
    with pytest.raises(DisputeNotAllowed):
        open_dispute(user, paid)
    assert_reconciled()


def test_partial_reversal_then_second_dispute_for_the_rest(
    user, wallet, other_wallet, paid, moderator, assert_reconciled
):
    first = dispute_reverse(moderator=moderator, dispute_id=open_dispute(user, paid).pk, amount="15.00")
    assert first.status == DisputeStatus.RESOLVED_PARTIAL
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.PARTIALLY_REVERSED

    with pytest.raises(DisputeAmountInvalid):
        open_dispute(user, paid, amount="25.01")
    second = dispute_reverse(moderator=moderator, dispute_id=open_dispute(user, paid).pk)

    assert second.status == DisputeStatus.RESOLVED_REVERSED
    assert second.reversed_amount == 2500
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.REVERSED
    assert balances(wallet, other_wallet) == [10000, 0]
    assert_reconciled()


def test_reverse_more_than_disputed_is_refused(user, paid, moderator, assert_reconciled):
    dispute = open_dispute(user, paid, amount="10.00")
    with pytest.raises(ReversalExceedsAmount):
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk, amount="10.01")
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN
    assert_reconciled()


def test_reverse_needs_reverse_permission(user, paid, reviewer):
    dispute = open_dispute(user, paid)
    with pytest.raises(DisputePermissionDenied):
        dispute_reverse(moderator=reviewer, dispute_id=dispute.pk)
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()


def test_decided_dispute_cannot_be_reversed_again(user, paid, moderator, assert_reconciled):
    dispute = open_dispute(user, paid, amount="10.00")
    dispute_reverse(moderator=moderator, dispute_id=dispute.pk)
    with pytest.raises(DisputeTransitionInvalid):
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk)
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1
    assert_reconciled()


# --- receiver cannot cover -------------------------------------------------------------------


@pytest.fixture
def spent(user, other_user, paid):
    """The receiver spent 30.00 of the 40.00 received: only 10.00 is left to take back."""
    third = UserFactory()
    pay(other_user, wallet_create(owner=third, currency=currency_for("USD")), 3000)
    return open_dispute(user, paid)


def test_shortfall_without_cover_is_refused_and_nothing_moves(
    spent, wallet, other_wallet, moderator, assert_reconciled
):
    with pytest.raises(ReversalInsufficientFunds) as caught:
        dispute_reverse(moderator=moderator, dispute_id=spent.pk)

    assert caught.value.details == {"balance": "10.00", "shortfall": "30.00"}
    assert balances(wallet, other_wallet) == [6000, 1000]
    assert Dispute.objects.get(pk=spent.pk).status == DisputeStatus.OPEN
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()
    assert not Notification.objects.filter(event_key=f"dispute:{spent.pk}:decided").exists()
    assert not EmailDelivery.objects.filter(event_key=f"dispute:{spent.pk}:decided").exists()
    assert_reconciled()


def test_shortfall_covered_from_suspense(spent, wallet, other_wallet, paid, moderator, assert_reconciled):
    resolved = dispute_reverse(moderator=moderator, dispute_id=spent.pk, cover_from_suspense=True)

    suspense = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.SUSPENSE)
    assert resolved.status == DisputeStatus.RESOLVED_REVERSED
    assert (resolved.reversed_amount, resolved.suspense_covered_amount) == (4000, 3000)
    assert balances(wallet, other_wallet) == [10000, 0]  # never a negative user balance
    assert wallet_balance_from_entries(suspense) == -3000  # the platform's loss
    reversals = Transaction.objects.filter(reverses=paid).order_by("amount")
    assert [(r.from_wallet_id, r.amount) for r in reversals] == [(other_wallet.pk, 1000), (suspense.pk, 3000)]
    assert Transaction.objects.get(pk=paid.pk).status == TransactionStatus.REVERSED
    covered = AuditEvent.objects.get(event_type=AuditEventType.REVERSAL_SHORTFALL_COVERED)
    assert covered.new_values == {"shortfall": "30.00 USD", "receiver": other_wallet.public_id}
    assert_reconciled()


def test_cover_is_not_used_when_the_receiver_can_pay(user, paid, moderator, assert_reconciled):
    dispute = dispute_reverse(moderator=moderator, dispute_id=open_dispute(user, paid).pk, cover_from_suspense=True)
    assert dispute.suspense_covered_amount == 0
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1
    assert_reconciled()
