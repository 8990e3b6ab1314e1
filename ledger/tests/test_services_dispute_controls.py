"""Moderators never decide their own disputes, and a large reversal needs a second moderator."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType
from ledger.exceptions import DisputeOwnCase, ReversalApprovalPending, ReversalNotProposed, ReversalSelfApproval
from ledger.models import Dispute, DisputeStatus, Transaction, TransactionKind
from ledger.services import dispute_open, dispute_reject, dispute_reversal_approve, dispute_reverse, dispute_take
from ledger.tests.conftest import fund, grant, pay
from vaultpay.money import currency_for
from wallets.models import Wallet
from wallets.services import wallet_create

pytestmark = pytest.mark.django_db
MODERATOR_PERMISSIONS = ("ledger.view_dispute", "ledger.review_dispute", "ledger.reverse_dispute")


def new_moderator():
    return grant(UserFactory(), *MODERATOR_PERMISSIONS)


def refusals(dispute):
    return list(
        AuditEvent.objects.filter(event_type=AuditEventType.MODERATION_OWN_CASE_REFUSED, target_id=str(dispute.pk))
        .order_by("id")
        .values_list("actor_id", "new_values")
    )


def balance(wallet) -> int:
    return Wallet.objects.get(pk=wallet.pk).balance


# --- own cases ---------------------------------------------------------------------------------


@pytest.fixture
def moderator_paid(other_user, other_wallet):
    """A moderator with a wallet who paid other_user 40.00."""
    moderator = new_moderator()
    wallet = wallet_create(owner=moderator, currency=currency_for("USD"))
    fund(moderator, 10000)
    return moderator, wallet, pay(moderator, other_wallet, 4000)


def test_party_cannot_reverse_a_dispute_on_their_own_payment(moderator_paid, other_user, assert_reconciled):
    # given the receiver disputes the moderator's payment
    moderator, wallet, txn = moderator_paid
    dispute = dispute_open(user=other_user, transaction_id=txn.pk, reason="Not what I ordered")
    # when the moderator, a party, tries each decision
    with pytest.raises(DisputeOwnCase):
        dispute_take(moderator=moderator, dispute_id=dispute.pk)
    with pytest.raises(DisputeOwnCase):
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk)
    with pytest.raises(DisputeOwnCase):
        dispute_reject(moderator=moderator, dispute_id=dispute.pk, reason="no")
    # then nothing moved or changed, and each attempt is audited
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN
    assert balance(wallet) == 6000
    assert not Transaction.objects.filter(kind=TransactionKind.REVERSAL).exists()
    assert [values["attempted"] for _, values in refusals(dispute)] == [
        "dispute.take",
        "dispute.reverse",
        "dispute.reject",
    ]
    assert {actor for actor, _ in refusals(dispute)} == {moderator.pk}
    assert_reconciled()


def test_initiator_of_the_dispute_cannot_decide_it(moderator_paid):
    moderator, _, txn = moderator_paid
    dispute = dispute_open(user=moderator, transaction_id=txn.pk, reason="Sent by mistake")
    with pytest.raises(DisputeOwnCase) as refused:
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk)
    assert refused.value.details == {"why": "opened_it"}
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


def test_console_says_why_the_moderator_cannot_decide(moderator_paid, other_user):
    moderator, _, txn = moderator_paid
    dispute = dispute_open(user=other_user, transaction_id=txn.pk, reason="Not what I ordered")
    client = Client()
    client.force_login(moderator)
    response = client.post(f"/admin/ledger/dispute/{dispute.pk}/reverse/", {"reason": "mine"})
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("party to or opened" in m for m in messages)
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.OPEN


# --- dual control ------------------------------------------------------------------------------


@pytest.fixture
def large_dispute(user, wallet, other_user, other_wallet, settings):
    """user paid other_user 40.00 and disputes it; reversals above 10.00 need a second moderator."""
    settings.DISPUTE_DUAL_CONTROL_ABOVE = {"USD": "10.00"}
    fund(user, 10000)
    txn = pay(user, other_wallet, 4000)
    return dispute_open(user=user, transaction_id=txn.pk, reason="Not me")


def test_large_reversal_is_proposed_then_posted_on_a_second_approval(
    large_dispute, wallet, other_wallet, assert_reconciled
):
    first, second = new_moderator(), new_moderator()
    # when the first moderator reverses it
    proposed = dispute_reverse(moderator=first, dispute_id=large_dispute.pk, reason="card stolen")
    # then it is only proposed: no money moved
    assert proposed.awaits_reversal_approval
    assert (proposed.status, proposed.reversal_proposed_amount) == (DisputeStatus.OPEN, 4000)
    assert (balance(wallet), balance(other_wallet)) == (6000, 4000)
    assert AuditEvent.objects.filter(event_type=AuditEventType.DISPUTE_REVERSAL_PROPOSED).count() == 1
    # when a second moderator approves
    decided = dispute_reversal_approve(moderator=second, dispute_id=large_dispute.pk)
    # then the reversal is posted as proposed
    assert decided.status == DisputeStatus.RESOLVED_REVERSED
    assert (decided.reversal_proposed_by, decided.reversal_approved_by, decided.decided_by) == (first, second, second)
    assert (balance(wallet), balance(other_wallet)) == (10000, 0)
    reversed_event = AuditEvent.objects.get(event_type=AuditEventType.DISPUTE_REVERSED)
    assert (reversed_event.actor_id, reversed_event.new_values["proposed_by"]) == (second.pk, first.pk)
    assert_reconciled()


def test_proposer_cannot_approve_their_own_proposal(large_dispute, wallet):
    first = new_moderator()
    dispute_reverse(moderator=first, dispute_id=large_dispute.pk)
    with pytest.raises(ReversalSelfApproval):
        dispute_reversal_approve(moderator=first, dispute_id=large_dispute.pk)
    # nor go around it by reversing again
    with pytest.raises(ReversalApprovalPending):
        dispute_reverse(moderator=first, dispute_id=large_dispute.pk)
    assert Dispute.objects.get(pk=large_dispute.pk).awaits_reversal_approval
    assert balance(wallet) == 6000
    assert refusals(large_dispute) == [(first.pk, {"attempted": "dispute.approve_reversal", "why": "proposed_it"})]


def test_reversal_at_the_threshold_needs_no_second_moderator(large_dispute, wallet):
    decided = dispute_reverse(moderator=new_moderator(), dispute_id=large_dispute.pk, amount="10.00")
    assert decided.status == DisputeStatus.RESOLVED_PARTIAL
    assert balance(wallet) == 7000


def test_nothing_to_approve_without_a_proposal(large_dispute):
    with pytest.raises(ReversalNotProposed):
        dispute_reversal_approve(moderator=new_moderator(), dispute_id=large_dispute.pk)


def test_console_proposes_then_a_second_moderator_approves(large_dispute, wallet):
    first, second = Client(), Client()
    first.force_login(new_moderator())
    second.force_login(new_moderator())
    url = f"/admin/ledger/dispute/{large_dispute.pk}"
    response = first.post(f"{url}/reverse/", {"reason": "stolen card"})
    assert any("second moderator must approve" in str(m) for m in get_messages(response.wsgi_request))
    assert balance(wallet) == 6000
    assert second.post(f"{url}/approve-reversal/", {"confirm": "on"}).status_code == 302
    assert Dispute.objects.get(pk=large_dispute.pk).status == DisputeStatus.RESOLVED_REVERSED
    assert balance(wallet) == 10000


@pytest.mark.django_db(transaction=True)
def test_two_moderators_approving_at_once_reverse_once(user, wallet, other_user, other_wallet, settings):
    # given a proposed reversal
    settings.DISPUTE_DUAL_CONTROL_ABOVE = {"USD": "10.00"}
    fund(user, 10000)
    dispute = dispute_open(user=user, transaction_id=pay(user, other_wallet, 4000).pk, reason="Not me")
    dispute_reverse(moderator=new_moderator(), dispute_id=dispute.pk)
    approvers = [new_moderator(), new_moderator()]
    barrier, outcomes = threading.Barrier(2), []

    def approve(moderator):
        barrier.wait()
        try:
            dispute_reversal_approve(moderator=moderator, dispute_id=dispute.pk)
            outcomes.append("approved")
        except Exception as exc:  # the loser sees the dispute already decided
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(m,)) for m in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one reversal was posted
    assert sorted(outcomes) == ["DisputeTransitionInvalid", "approved"]
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1
    assert balance(wallet) == 10000
