"""Refunds through the API: the receiver of a payment sends all or part of it back to its sender."""

import uuid

import pytest
from django.core import mail
from django.db import DatabaseError, transaction

from accounts.models import EmailDelivery, Notification
from accounts.tests.factories import UserFactory
from accounts.webhooks.services import webhook_endpoint_create
from audit.models import AuditEvent, AuditEventType
from conftest import client_for
from ledger.exceptions import DisputeNotAllowed, ReversalExceedsAmount, ReversalNotAllowed
from ledger.models import DisputeStatus, Entry, EntryDirection, Transaction, TransactionKind, TransactionStatus
from ledger.services import dispute_open, transaction_reverse
from ledger.tests.helpers import TEST_PIN, fund, ledger_snapshot, post_money
from wallets.models import Wallet, WalletStatus, WalletUsage

pytestmark = pytest.mark.django_db


def _refund(client, transaction_id, body: dict | None = None, key: str | None = "generate"):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()) if key == "generate" else key}
    return client.post(
        f"/api/v1/transactions/{transaction_id}/refund", {"pin": TEST_PIN} | (body or {}), format="json", **headers
    )


def _pay(sender_client, to_wallet, amount="40.00", **extra) -> dict:
    response = post_money(
        sender_client, "transfer", {"to_wallet": to_wallet.public_id, "amount": amount, "currency": "USD"} | extra
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _balances(*wallets) -> list[int]:
    return [Wallet.objects.get(pk=w.pk).balance for w in wallets]


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
def payment(auth_client, wallet, other_wallet) -> dict:
    """`user` funded with 100.00 paid 40.00 to `other_user` through the API: the transfer as the sender saw it."""
    fund(wallet, 10_000)
    return _pay(auth_client, other_wallet)


@pytest.fixture
def receiver(other_user):
    return client_for(other_user)


def test_refund_without_an_amount_returns_the_whole_payment(
    user, other_user, wallet, other_wallet, payment, receiver, assert_reconciled
):
    response = _refund(receiver, payment["id"])

    assert response.status_code == 201, response.json()
    refund = response.json()
    assert (refund["kind"], refund["amount"], refund["direction"]) == ("refund", "40.00", "out")
    assert (refund["from_wallet"], refund["to_wallet"]) == (other_wallet.public_id, wallet.public_id)
    assert refund["reverses"] == payment["reference"]
    assert refund["counterparty"]["wallet"] == wallet.public_id
    assert _balances(wallet, other_wallet) == [10_000, 0]
    stored = Transaction.objects.get(pk=refund["id"])
    assert (stored.reverses_id, stored.initiator_id) == (uuid.UUID(payment["id"]), other_user.pk)
    entries = {(e.wallet_id, e.direction, e.amount, e.balance_after) for e in Entry.objects.filter(transaction=stored)}
    assert entries == {
        (other_wallet.pk, EntryDirection.DEBIT, 4000, 0),
        (wallet.pk, EntryDirection.CREDIT, 4000, 10_000),
    }
    # Both parties see the payment as refunded; the sender sees the refund come in.
    assert client_for(user).get(f"/api/v1/transactions/{payment['id']}").json()["status"] == "refunded"
    assert receiver.get(f"/api/v1/transactions/{payment['id']}").json()["status"] == "refunded"
    seen_by_sender = client_for(user).get(f"/api/v1/transactions/{refund['id']}").json()
    assert (seen_by_sender["direction"], seen_by_sender["reverses"]) == ("in", payment["reference"])
    assert_reconciled()


def test_partial_refunds_add_up_to_the_payment_and_no_further(
    payment, wallet, other_wallet, receiver, assert_reconciled
):
    assert _refund(receiver, payment["id"], {"amount": "10.00"}).status_code == 201
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.PARTIALLY_REFUNDED
    assert _refund(receiver, payment["id"], {"amount": "5.00"}).status_code == 201

    too_much = _refund(receiver, payment["id"], {"amount": "25.01"})
    assert _error(too_much) == (409, "refund_exceeds_amount")
    assert too_much.json()["error"]["details"] == {"remaining": "25.00"}

    rest = _refund(receiver, payment["id"])  # default: all that is left
    assert rest.status_code == 201 and rest.json()["amount"] == "25.00"
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.REFUNDED
    nothing_left = _refund(receiver, payment["id"], {"amount": "0.01"})
    assert _error(nothing_left) == (409, "refund_exceeds_amount")
    assert nothing_left.json()["error"]["details"] == {"remaining": "0.00"}
    assert _error(_refund(receiver, payment["id"])) == (409, "refund_exceeds_amount")

    assert Transaction.objects.filter(reverses_id=payment["id"]).count() == 3
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert_reconciled()


def test_the_sender_cannot_refund_their_own_payment(auth_client, payment, wallet, other_wallet, assert_reconciled):
    before = ledger_snapshot()
    response = _refund(auth_client, payment["id"], {"amount": "1.00"})
    assert _error(response) == (409, "refund_not_allowed")
    assert ledger_snapshot() == before
    assert_reconciled()


def test_someone_not_a_party_sees_no_such_transaction(payment):
    stranger = UserFactory()
    before = ledger_snapshot()
    assert _error(_refund(client_for(stranger), payment["id"])) == (404, "not_found")
    assert _error(_refund(client_for(stranger), uuid.uuid4())) == (404, "not_found")
    assert ledger_snapshot() == before


def test_refunds_require_authentication(api_client, payment):
    assert _refund(api_client, payment["id"]).status_code == 401
    assert not Transaction.objects.filter(kind=TransactionKind.REFUND).exists()


@pytest.mark.parametrize("kind", ["deposit", "withdrawal", "refund", "reversal"])
def test_only_payments_between_users_can_be_refunded(
    kind, user, auth_client, wallet, other_wallet, payment, receiver, moderator, assert_reconciled
):
    # given a transaction of `kind` that `user` received (or made, for a withdrawal)
    if kind == "deposit":
        target = Transaction.objects.get(kind=TransactionKind.DEPOSIT).pk
    elif kind == "withdrawal":
        target = post_money(auth_client, "withdraw", {"amount": "1.00", "currency": "USD"}).json()["id"]
    elif kind == "refund":
        target = _refund(receiver, payment["id"], {"amount": "5.00"}).json()["id"]
    else:
        target = transaction_reverse(original_id=payment["id"], amount=500, actor=moderator).reversals[0].pk
    before = ledger_snapshot()

    response = _refund(auth_client, target, {"amount": "1.00"})

    assert _error(response) == (409, "refund_not_allowed")
    assert ledger_snapshot() == before
    assert_reconciled()


def test_a_receiver_short_of_money_cannot_refund(payment, other_wallet, receiver, assert_reconciled):
    assert post_money(receiver, "withdraw", {"amount": "35.00", "currency": "USD"}).status_code == 201
    before = ledger_snapshot()

    response = _refund(receiver, payment["id"], {"amount": "5.01"})

    assert _error(response) == (409, "insufficient_funds")
    assert response.json()["error"]["details"] == {"balance": "5.00", "requested": "5.01"}
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.POSTED
    assert ledger_snapshot() == before
    assert _refund(receiver, payment["id"], {"amount": "5.00"}).status_code == 201
    assert_reconciled()


def test_a_wrong_pin_refunds_nothing(payment, other_user, receiver):
    before = ledger_snapshot()
    response = _refund(receiver, payment["id"], {"pin": "0000"})
    assert _error(response) == (403, "pin_invalid")
    assert response.json()["error"]["details"] == {"attempts_left": 2}
    assert _error(_refund(receiver, payment["id"], {"pin": "12"})) == (400, "pin_format_invalid")
    assert ledger_snapshot() == before
    assert not AuditEvent.objects.filter(event_type=AuditEventType.REFUND_POSTED).exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-5.00", "amount_not_positive"),
        ("1.001", "amount_too_precise"),
        ("99999999999999999999999999", "amount_too_large"),
        (5, "amount_invalid"),
        (None, "amount_invalid"),
        ("", "amount_invalid"),
        ("ten", "amount_invalid"),
    ],
)
def test_bad_amounts_are_400_and_refund_nothing(payment, receiver, amount, code):
    before = ledger_snapshot()
    response = _refund(receiver, payment["id"], {"amount": amount})
    assert _error(response) == (400, code)
    assert ledger_snapshot() == before


def test_a_reason_too_long_is_a_validation_error(payment, receiver):
    before = ledger_snapshot()
    response = _refund(receiver, payment["id"], {"reason": "x" * 281})
    assert _error(response) == (400, "validation_error")
    assert "reason" in response.json()["error"]["details"]["fields"]
    assert ledger_snapshot() == before


def test_a_refund_needs_an_idempotency_key(payment, receiver):
    before = ledger_snapshot()
    assert _error(_refund(receiver, payment["id"], key=None)) == (400, "idempotency_key_required")
    assert ledger_snapshot() == before


def test_a_replayed_refund_answers_the_same_refund_and_posts_nothing(
    payment, wallet, other_wallet, receiver, django_capture_on_commit_callbacks, assert_reconciled
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _refund(receiver, payment["id"], {"amount": "7.00", "reason": "Broken"}, key="refund-1")
    mail_sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = _refund(receiver, payment["id"], {"amount": "7.00", "reason": "Broken"}, key="refund-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Transaction.objects.filter(kind=TransactionKind.REFUND).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.REFUND_POSTED).count() == 1
    assert _balances(wallet, other_wallet) == [6_700, 3_300]
    assert len(mail.outbox) == mail_sent  # no second receipt
    # The same key for a different refund is refused.
    reused = _refund(receiver, payment["id"], {"amount": "8.00", "reason": "Broken"}, key="refund-1")
    assert _error(reused) == (422, "idempotency_key_reused")
    assert _balances(wallet, other_wallet) == [6_700, 3_300]
    assert_reconciled()


def test_a_retry_writing_the_amount_differently_is_the_same_refund(payment, wallet, other_wallet, receiver):
    first = _refund(receiver, payment["id"], {"amount": "5.00"}, key="refund-5")
    again = _refund(receiver, payment["id"], {"amount": "5"}, key="refund-5")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert _balances(wallet, other_wallet) == [6_500, 3_500]


def test_a_refund_without_a_reason_says_none(
    user, payment, receiver, django_capture_on_commit_callbacks, assert_reconciled
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund = _refund(receiver, payment["id"]).json()

    assert refund["description"] == "" and refund["reverses"] == payment["reference"]
    to_sender = next(m for m in mail.outbox if m.to == [user.email])
    assert "Reason:" not in to_sender.body
    assert_reconciled()


def test_the_sender_is_notified_and_the_refund_audited(
    user, other_user, payment, receiver, django_capture_on_commit_callbacks, assert_reconciled
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _refund(receiver, payment["id"], {"amount": "12.50", "reason": "Out of stock"})
    refund = response.json()

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {user.email, other_user.email}
    to_sender = by_address[user.email]
    assert to_sender.subject == "12.50 USD refunded to you"
    assert f"{other_user.display_name} refunded you 12.50 USD of payment {payment['reference']}." in to_sender.body
    assert "Reason: Out of stock" in to_sender.body and "New balance: 72.50 USD" in to_sender.body
    assert by_address[other_user.email].subject == "You refunded 12.50 USD"
    deliveries = EmailDelivery.objects.filter(event_key__startswith=f"txn:{refund['id']}:")
    assert sorted(deliveries.values_list("recipient_id", "template")) == sorted(
        [(user.pk, "refund"), (other_user.pk, "refund")]
    )
    notice = Notification.objects.get(user=user, kind="refund")
    assert notice.data["original_reference"] == payment["reference"] and notice.data["direction"] == "in"

    event = AuditEvent.objects.get(event_type=AuditEventType.REFUND_POSTED)
    assert (event.actor_id, event.target_id) == (other_user.pk, payment["id"])
    assert event.new_values == {"refund": refund["reference"], "amount": "12.50 USD", "reason": "Out of stock"}
    assert AuditEvent.objects.filter(event_type=AuditEventType.MONEY_POSTED, target_id=refund["id"]).exists()
    assert_reconciled()


def test_both_parties_get_refund_posted_and_transaction_posted_webhooks(
    user, other_user, wallet, other_wallet, payment, receiver, webhook_receiver, django_capture_on_commit_callbacks
):
    events = ["refund.posted", "transaction.posted"]
    _, secret = webhook_endpoint_create(owner=user, url=webhook_receiver.url + "?sender", events=events)
    _, other_secret = webhook_endpoint_create(owner=other_user, url=webhook_receiver.url + "?receiver", events=events)
    webhook_receiver.secrets_by_path = {"/hooks/vaultpay?sender": secret, "/hooks/vaultpay?receiver": other_secret}

    with django_capture_on_commit_callbacks(execute=True):
        refund = _refund(receiver, payment["id"], {"amount": "4.00", "metadata": {"rma": "R-1"}}).json()

    by_path = {}
    for record in webhook_receiver.received:
        assert record["verified"]
        by_path.setdefault(record["path"], {})[record["event"]["type"]] = record["event"]["data"]
    sender, refunder = by_path["/hooks/vaultpay?sender"], by_path["/hooks/vaultpay?receiver"]
    assert set(sender) == set(refunder) == set(events)
    for data, direction, own in ((sender, "in", wallet), (refunder, "out", other_wallet)):
        posted = data["refund.posted"]
        assert posted["transaction_id"] == refund["id"] and posted["refunds"] == payment["reference"]
        assert (posted["direction"], posted["amount"], posted["wallet"]) == (direction, "4.00", own.public_id)
        assert posted["refunds_transaction_id"] == payment["id"] and posted["metadata"] == {"rma": "R-1"}
        txn = data["transaction.posted"]
        assert (txn["kind"], txn["reverses"], txn["direction"]) == ("refund", payment["reference"], direction)
    assert sender["transaction.posted"]["balance_after"] == "64.00"
    assert refunder["transaction.posted"]["balance_after"] == "36.00"


def test_a_refund_does_not_count_against_the_refunders_limits(payment, other_wallet, other_user, assert_reconciled):
    # given a receiver whose daily limit is already used up by 1.00 of spending
    Wallet.objects.filter(pk=other_wallet.pk).update(limit_override_daily=100)
    receiver = client_for(other_user)
    assert post_money(receiver, "withdraw", {"amount": "1.00", "currency": "USD"}).status_code == 201
    assert _error(post_money(receiver, "withdraw", {"amount": "0.01", "currency": "USD"})) == (403, "limit_exceeded")
    usage = WalletUsage.objects.get(owner=other_user)

    response = _refund(receiver, payment["id"], {"amount": "30.00"})

    assert response.status_code == 201, response.json()
    after = WalletUsage.objects.get(owner=other_user)
    assert (after.day_total, after.month_total) == (usage.day_total, usage.month_total) == (100, 100)
    assert_reconciled()


def test_the_receiver_of_a_hold_capture_may_refund_it(auth_client, wallet, other_wallet, receiver, assert_reconciled):
    fund(wallet, 10_000)
    hold = auth_client.post(
        "/api/v1/holds",
        {"amount": "30.00", "currency": "USD", "to_wallet": other_wallet.public_id, "pin": TEST_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    ).json()
    captured = auth_client.post(
        f"/api/v1/holds/{hold['id']}/capture",
        {"amount": "20.00", "pin": TEST_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    ).json()
    capture_id = captured["capture"]
    assert Transaction.objects.get(pk=capture_id).kind == TransactionKind.HOLD_CAPTURE

    assert _error(_refund(auth_client, capture_id)) == (409, "refund_not_allowed")  # the payer
    response = _refund(receiver, capture_id)

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "20.00"
    assert Transaction.objects.get(pk=capture_id).status == TransactionStatus.REFUNDED
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert_reconciled()


def test_a_hold_captured_out_of_vaultpay_has_no_one_to_refund_it(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    key = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    hold = auth_client.post(
        "/api/v1/holds", {"amount": "30.00", "currency": "USD", "pin": TEST_PIN}, format="json", **key
    ).json()
    captured = auth_client.post(
        f"/api/v1/holds/{hold['id']}/capture", {"pin": TEST_PIN}, format="json", HTTP_IDEMPOTENCY_KEY="cap"
    ).json()
    assert _error(_refund(auth_client, captured["capture"])) == (409, "refund_not_allowed")
    assert_reconciled()


@pytest.mark.parametrize(
    ("whose", "status", "code"),
    [
        ("receiver", WalletStatus.FROZEN, "wallet_frozen"),
        ("sender", WalletStatus.FROZEN, "wallet_frozen"),
        ("sender", WalletStatus.CLOSED, "wallet_closed"),
    ],
)
def test_frozen_or_closed_wallets_block_a_refund(whose, status, code, payment, wallet, other_wallet, receiver):
    Wallet.objects.filter(pk=(other_wallet if whose == "receiver" else wallet).pk).update(status=status)
    before = ledger_snapshot()
    assert _error(_refund(receiver, payment["id"], {"amount": "1.00"})) == (409, code)
    assert ledger_snapshot() == before


def test_a_reversal_after_a_partial_refund_reverses_only_what_is_left(
    payment, wallet, other_wallet, receiver, moderator, assert_reconciled
):
    assert _refund(receiver, payment["id"], {"amount": "10.00"}).status_code == 201

    with pytest.raises(ReversalExceedsAmount) as refused, transaction.atomic():
        transaction_reverse(original_id=payment["id"], amount=3001, actor=moderator)
    assert refused.value.details == {"remaining": "30.00"}
    result = transaction_reverse(original_id=payment["id"], amount=None, actor=moderator)

    assert result.amount == 3000
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.REVERSED
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert _error(_refund(receiver, payment["id"])) == (409, "refund_exceeds_amount")
    assert_reconciled()


def test_a_refund_after_a_partial_reversal_returns_only_what_is_left(
    payment, wallet, other_wallet, receiver, moderator, assert_reconciled
):
    transaction_reverse(original_id=payment["id"], amount=2500, actor=moderator)

    too_much = _refund(receiver, payment["id"], {"amount": "15.01"})
    assert too_much.json()["error"]["details"] == {"remaining": "15.00"}
    response = _refund(receiver, payment["id"])

    assert response.json()["amount"] == "15.00"
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.REFUNDED
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert_reconciled()


def test_a_dispute_after_a_partial_refund_covers_only_what_is_left(auth_client, payment, receiver):
    assert _refund(receiver, payment["id"], {"amount": "10.00"}).status_code == 201

    too_much = auth_client.post(
        f"/api/v1/transactions/{payment['id']}/disputes", {"reason": "Late", "amount": "30.01"}, format="json"
    )
    assert too_much.status_code == 400
    assert too_much.json()["error"]["details"] == {"max_amount": "30.00"}
    dispute = auth_client.post(f"/api/v1/transactions/{payment['id']}/disputes", {"reason": "Late"}, format="json")
    assert dispute.status_code == 201 and dispute.json()["amount"] == "30.00"


def test_a_fully_refunded_payment_cannot_be_disputed(auth_client, payment, receiver):
    assert _refund(receiver, payment["id"]).status_code == 201
    response = auth_client.post(f"/api/v1/transactions/{payment['id']}/disputes", {"reason": "x"}, format="json")
    assert _error(response) == (409, "dispute_not_allowed")


def test_a_refund_itself_cannot_be_disputed_or_reversed(user, payment, receiver, moderator, assert_reconciled):
    refund_id = _refund(receiver, payment["id"], {"amount": "10.00"}).json()["id"]

    disputed = client_for(user).post(f"/api/v1/transactions/{refund_id}/disputes", {"reason": "x"}, format="json")
    assert _error(disputed) == (409, "dispute_not_allowed")
    with pytest.raises(ReversalNotAllowed), transaction.atomic():
        transaction_reverse(original_id=refund_id, amount=None, actor=moderator)
    with pytest.raises(DisputeNotAllowed):
        dispute_open(user=user, transaction_id=refund_id, reason="x")
    assert Transaction.objects.filter(reverses_id=refund_id).count() == 0
    assert_reconciled()


def test_refunds_show_in_both_parties_history(user, payment, receiver):
    refund = _refund(receiver, payment["id"], {"amount": "3.00"}).json()
    sender_history = client_for(user).get("/api/v1/transactions?kind=refund").json()["results"]
    receiver_history = receiver.get("/api/v1/transactions?kind=refund").json()["results"]
    assert [(t["id"], t["direction"], t["reverses"]) for t in sender_history] == [
        (refund["id"], "in", payment["reference"])
    ]
    assert [(t["id"], t["direction"]) for t in receiver_history] == [(refund["id"], "out")]


def test_the_database_refuses_a_refund_beyond_the_payment_or_the_wrong_way(payment, wallet, other_wallet):
    # Without the service's lock and checks: the guard of ledger/sql/reversal_guard.sql still holds.
    def insert_refund(amount, source, destination):
        Transaction.objects.create(
            kind=TransactionKind.REFUND,
            amount=amount,
            currency="USD",
            from_wallet=source,
            to_wallet=destination,
            reverses_id=payment["id"],
        )

    with pytest.raises(DatabaseError, match="would total 4001 of 4000"), transaction.atomic():
        insert_refund(4001, other_wallet, wallet)
    with pytest.raises(DatabaseError, match="from its receiver to its sender"), transaction.atomic():
        insert_refund(100, wallet, other_wallet)
    assert not Transaction.objects.filter(reverses_id=payment["id"]).exists()


def test_money_on_hold_cannot_be_refunded(payment, other_wallet, receiver, assert_reconciled):
    # given a receiver who set 35.00 of the 40.00 aside in a hold
    hold = receiver.post(
        "/api/v1/holds",
        {"amount": "35.00", "currency": "USD", "pin": TEST_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert hold.status_code == 201, hold.json()
    before = ledger_snapshot()

    response = _refund(receiver, payment["id"], {"amount": "5.01"})

    assert _error(response) == (409, "insufficient_funds")
    assert response.json()["error"]["details"] == {"balance": "5.00", "requested": "5.01"}
    assert ledger_snapshot() == before
    assert_reconciled()


def test_a_refund_during_an_open_dispute_leaves_only_the_rest_to_reverse(
    user, wallet, other_wallet, payment, receiver, moderator, assert_reconciled
):
    from ledger.services import dispute_reverse

    dispute = dispute_open(user=user, transaction_id=payment["id"], reason="Not delivered")
    assert _refund(receiver, payment["id"], {"amount": "10.00"}).status_code == 201

    with pytest.raises(ReversalExceedsAmount) as refused:
        dispute_reverse(moderator=moderator, dispute_id=dispute.pk, amount="40.00")  # the whole 40.00 disputed
    assert refused.value.details == {"remaining": "30.00"}
    decided = dispute_reverse(moderator=moderator, dispute_id=dispute.pk)  # by default: what is left

    assert (decided.status, decided.reversed_amount) == (DisputeStatus.RESOLVED_PARTIAL, 3_000)
    assert _balances(wallet, other_wallet) == [10_000, 0]
    assert Transaction.objects.get(pk=payment["id"]).status == TransactionStatus.REVERSED
    assert_reconciled()
