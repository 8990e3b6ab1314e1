import pytest

from audit.models import AuditEvent, AuditEventType
from ledger.models import Entry, EntryDirection, Transaction, TransactionKind
from ledger.selectors import wallet_balance_from_entries
from ledger.tests.helpers import fund, ledger_snapshot, post_money
from vaultpay.money import currency_for
from wallets.models import SystemWalletPurpose, Wallet, WalletStatus
from wallets.services import wallet_create, wallet_system_get

pytestmark = pytest.mark.django_db


def test_deposit_credits_the_wallet_from_world(auth_client, wallet, user, assert_reconciled):
    response = post_money(auth_client, "deposit", {"amount": "25.10", "currency": "USD"})
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "deposit" and body["amount"] == "25.10" and body["direction"] == "in"
    assert body["from_wallet"] is None and body["to_wallet"] == wallet.public_id
    assert body["counterparty"] is None
    wallet.refresh_from_db()
    assert wallet.balance == 2510
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    assert (world.balance, wallet_balance_from_entries(world)) == (0, -2510)  # @world caches no balance
    entries = Entry.objects.filter(transaction_id=body["id"])
    assert {(e.wallet_id, e.direction, e.amount, e.balance_after) for e in entries} == {
        (wallet.pk, EntryDirection.CREDIT, 2510, 2510),
        (world.pk, EntryDirection.DEBIT, 2510, None),
    }
    assert AuditEvent.objects.filter(event_type=AuditEventType.MONEY_POSTED, target_id=body["id"], actor=user).exists()
    assert_reconciled()


def test_withdraw_debits_the_wallet(auth_client, wallet, assert_reconciled):
    fund(wallet, 5000)
    response = post_money(auth_client, "withdraw", {"amount": "20.00", "currency": "USD"})
    assert response.status_code == 201
    assert response.json()["direction"] == "out"
    wallet.refresh_from_db()
    assert wallet.balance == 3000
    assert_reconciled()


def test_transfer_moves_money_between_users(auth_client, wallet, other_wallet, other_user, assert_reconciled):
    fund(wallet, 10_000)
    response = post_money(
        auth_client,
        "transfer",
        {"to_wallet": other_wallet.public_id, "amount": "12.50", "currency": "USD", "description": "Dinner"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "transfer"
    assert body["from_wallet"] == wallet.public_id and body["to_wallet"] == other_wallet.public_id
    assert body["counterparty"] == {
        "name": f"{other_user.first_name} {other_user.last_name[0]}.",
        "wallet": other_wallet.public_id,
    }
    assert body["description"] == "Dinner"
    assert set(body) == {
        "id", "reference", "kind", "status", "direction", "amount", "currency",
        "from_wallet", "to_wallet", "counterparty", "description", "metadata", "reverses", "created_at",
    }  # fmt: skip
    wallet.refresh_from_db()
    other_wallet.refresh_from_db()
    assert (wallet.balance, other_wallet.balance) == (8750, 1250)
    entries = Entry.objects.filter(transaction_id=body["id"]).order_by("direction")
    assert [(e.direction, e.balance_after) for e in entries] == [("credit", 1250), ("debit", 8750)]
    assert_reconciled()


def test_recipient_sees_the_transfer_as_incoming(user, other_user, wallet, other_wallet):
    from conftest import client_for

    fund(wallet, 1000)
    sent = post_money(
        client_for(user), "transfer", {"to_wallet": other_wallet.public_id, "amount": "1", "currency": "USD"}
    )
    seen = client_for(other_user).get(f"/api/v1/transactions/{sent.json()['id']}").json()
    assert seen["direction"] == "in"
    assert seen["counterparty"]["wallet"] == wallet.public_id


BAD_AMOUNTS = [
    ("0", "amount_not_positive"),
    ("-1", "amount_not_positive"),
    ("1.001", "amount_too_precise"),
    ("1e309", "amount_invalid"),
    ("NaN", "amount_invalid"),
    ("Infinity", "amount_invalid"),
    ("99999999999999999999999999", "amount_too_large"),
    (12.5, "amount_invalid"),
    (True, "amount_invalid"),
    (None, "amount_invalid"),
    ([], "amount_invalid"),
    ({"amount": 1}, "amount_invalid"),
    ("ten", "amount_invalid"),
    (5, "amount_invalid"),
    (" 1.00", "amount_invalid"),
    ("+1.00", "amount_invalid"),
    ("1_000", "amount_invalid"),
    ("１２", "amount_invalid"),
    ("0.999999999999999999999999999999", "amount_too_precise"),
]


@pytest.mark.parametrize("operation", ["deposit", "withdraw", "transfer"])
@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_bad_amounts_are_400_and_change_nothing(auth_client, wallet, other_wallet, operation, amount, code):
    fund(wallet, 10_000)
    before = ledger_snapshot()
    body = {"amount": amount, "currency": "USD", "to_wallet": other_wallet.public_id}
    response = post_money(auth_client, operation, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert ledger_snapshot() == before


@pytest.mark.parametrize(
    ("currency", "code"),
    [
        ("XXX", "currency_unsupported"),
        ("", "currency_invalid"),
        ("usd", "currency_invalid"),
        ("US D", "currency_invalid"),
        ("ＵＳＤ", "currency_invalid"),
        (5, "currency_invalid"),
        (None, "currency_invalid"),
    ],
)
def test_bad_currency_is_400_and_changes_nothing(auth_client, wallet, currency, code):
    before = ledger_snapshot()
    response = post_money(auth_client, "deposit", {"amount": "1.00", "currency": currency})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert ledger_snapshot() == before


def test_missing_fields_are_validation_errors(auth_client, wallet):
    response = post_money(auth_client, "transfer", {"amount": "1.00"})
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]["fields"]) >= {"currency", "to_wallet"}


def test_currency_mismatch_is_409(auth_client, wallet):
    before = ledger_snapshot()
    response = post_money(auth_client, "deposit", {"amount": "1.00", "currency": "EUR"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "currency_mismatch"
    assert ledger_snapshot() == before


def test_transfer_between_different_currencies_is_409(auth_client, wallet, other_user):
    fund(wallet, 1000)
    euro_wallet = wallet_create(owner=other_user, currency=currency_for("EUR"))
    before = ledger_snapshot()
    response = post_money(
        auth_client, "transfer", {"to_wallet": euro_wallet.public_id, "amount": "1.00", "currency": "USD"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "currency_mismatch"
    assert ledger_snapshot() == before


def test_insufficient_funds_is_409_and_changes_nothing(auth_client, wallet, other_wallet):
    fund(wallet, 500)
    before = ledger_snapshot()
    for operation in ("withdraw", "transfer"):
        body = {"amount": "5.01", "currency": "USD", "to_wallet": other_wallet.public_id}
        response = post_money(auth_client, operation, body)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "insufficient_funds"
        assert response.json()["error"]["details"] == {"balance": "5.00", "requested": "5.01"}
    assert ledger_snapshot() == before


def test_self_transfer_is_400(auth_client, wallet):
    fund(wallet, 500)
    before = ledger_snapshot()
    response = post_money(auth_client, "transfer", {"to_wallet": wallet.public_id, "amount": "1", "currency": "USD"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "self_transfer"
    assert ledger_snapshot() == before


def test_transfer_to_unknown_wallet_is_404(auth_client, wallet):
    fund(wallet, 500)
    response = post_money(auth_client, "transfer", {"to_wallet": "VPY-ZZZZZZ", "amount": "1", "currency": "USD"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "wallet_not_found"


def test_malformed_wallet_id_is_400(auth_client, wallet):
    response = post_money(auth_client, "transfer", {"to_wallet": "@world", "amount": "1", "currency": "USD"})
    assert response.status_code == 400
    assert "to_wallet" in response.json()["error"]["details"]["fields"]


def test_system_wallets_cannot_be_addressed(auth_client, wallet):
    fund(wallet, 500)
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    response = post_money(auth_client, "transfer", {"to_wallet": world.public_id, "amount": "1", "currency": "USD"})
    assert response.status_code == 404


def test_money_without_a_wallet_is_404(auth_client):
    response = post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "wallet_not_found"


@pytest.mark.parametrize(
    ("status", "code"), [(WalletStatus.FROZEN, "wallet_frozen"), (WalletStatus.CLOSED, "wallet_closed")]
)
def test_frozen_or_closed_wallets_neither_send_nor_receive(user, other_user, wallet, other_wallet, status, code):
    from conftest import client_for

    fund(wallet, 1000)
    fund(other_wallet, 1000)
    Wallet.objects.filter(pk=other_wallet.pk).update(status=status)
    before = ledger_snapshot()
    receiving = post_money(
        client_for(user), "transfer", {"to_wallet": other_wallet.public_id, "amount": "1", "currency": "USD"}
    )
    assert receiving.status_code == 409
    assert receiving.json()["error"]["code"] == code
    if status == WalletStatus.FROZEN:  # a closed wallet is no longer "the caller's wallet": 404 below
        sending = post_money(
            client_for(other_user), "transfer", {"to_wallet": wallet.public_id, "amount": "1", "currency": "USD"}
        )
        assert sending.status_code == 409
        assert sending.json()["error"]["code"] == code
        deposit = post_money(client_for(other_user), "deposit", {"amount": "1", "currency": "USD"})
        assert deposit.json()["error"]["code"] == code
    assert ledger_snapshot() == before


def test_money_endpoints_require_authentication(api_client):
    response = post_money(api_client, "deposit", {"amount": "1", "currency": "USD"})
    assert response.status_code == 401
    assert Transaction.objects.count() == 0


def test_every_transaction_kind_posted_is_balanced(auth_client, wallet, other_wallet, assert_reconciled):
    fund(wallet, 10_000)
    post_money(auth_client, "withdraw", {"amount": "1", "currency": "USD"})
    post_money(auth_client, "transfer", {"to_wallet": other_wallet.public_id, "amount": "2", "currency": "USD"})
    kinds = set(Transaction.objects.values_list("kind", flat=True))
    assert kinds == {TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL, TransactionKind.TRANSFER}
    for txn in Transaction.objects.all():
        signed = sum(e.signed_amount for e in txn.entries.all())
        assert signed == 0 and txn.entries.count() == 2
    assert_reconciled()


def test_deposits_create_world_on_first_use_then_never_lock_or_write_it(user, assert_reconciled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import client_for

    eur = wallet_create(owner=user, currency=currency_for("EUR"))
    Wallet.objects.filter(kind="system", currency="EUR").delete()  # no EUR money has moved yet
    client = client_for(user)
    assert post_money(client, "deposit", {"amount": "10.00", "currency": "EUR"}).status_code == 201
    world = wallet_system_get(currency="EUR", purpose=SystemWalletPurpose.WORLD)
    world_written = world.updated_at
    assert post_money(client, "withdraw", {"amount": "1.00", "currency": "EUR"}).status_code == 201  # learns the salt
    with CaptureQueriesContext(connection) as captured:
        assert post_money(client, "withdraw", {"amount": "3.00", "currency": "EUR"}).status_code == 201
    assert len(captured.captured_queries) == 1, [q["sql"] for q in captured.captured_queries]  # one round trip
    eur.refresh_from_db()
    world.refresh_from_db()
    assert (eur.balance, wallet_balance_from_entries(world), world.updated_at) == (600, -600, world_written)
    assert_reconciled()
