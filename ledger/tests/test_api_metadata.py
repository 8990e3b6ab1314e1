"""Metadata on money requests: the client's own labels, validated, stored, returned and filtered on."""

import json
import uuid

import pytest
from django.db import connection

from conftest import client_for
from ledger.models import Transaction, TransactionKind
from ledger.selectors import entry_history_for_user
from ledger.services.posting import ledger_post
from ledger.tests.helpers import TEST_PIN, fund, ledger_snapshot, post_money
from vaultpay.money import Money, currency_for
from wallets.models import SystemWalletPurpose
from wallets.services import wallet_system_get

pytestmark = pytest.mark.django_db

ORDER = {"order_id": "A-1009", "cost_centre": "ops"}


def _body(operation: str, to_wallet, metadata) -> dict:
    body = {"amount": "1.00", "currency": "USD", "metadata": metadata}
    return body | ({"to_wallet": to_wallet.public_id} if operation == "transfer" else {})


def _post_raw(client, operation: str, raw_json: str):
    """A body json.dumps cannot write from Python data the way a client might (a lone surrogate escape)."""
    return client.post(
        f"/api/v1/transactions/{operation}",
        raw_json,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def _refund(client, transaction_id, body: dict, key: str | None = None):
    return client.post(
        f"/api/v1/transactions/{transaction_id}/refund",
        {"pin": TEST_PIN} | body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def _history(client, query: str):
    return client.get(f"/api/v1/transactions?{query}")


@pytest.mark.parametrize("operation", ["deposit", "withdraw", "transfer"])
def test_money_requests_store_and_return_metadata(operation, auth_client, wallet, other_wallet, assert_reconciled):
    fund(wallet, 10_000)

    response = post_money(auth_client, operation, _body(operation, other_wallet, ORDER))

    assert response.status_code == 201, response.json()
    assert response.json()["metadata"] == ORDER
    txn_id = response.json()["id"]
    assert Transaction.objects.get(pk=txn_id).metadata == ORDER  # written by the one-statement path
    assert auth_client.get(f"/api/v1/transactions/{txn_id}").json()["metadata"] == ORDER
    assert auth_client.get("/api/v1/transactions").json()["results"][0]["metadata"] == ORDER
    assert_reconciled()


def test_the_receiver_of_a_transfer_sees_its_metadata(auth_client, wallet, other_wallet, other_user):
    fund(wallet, 10_000)
    sent = post_money(auth_client, "transfer", _body("transfer", other_wallet, ORDER)).json()
    assert client_for(other_user).get(f"/api/v1/transactions/{sent['id']}").json()["metadata"] == ORDER


def test_without_metadata_a_transaction_carries_an_empty_object(auth_client, wallet):
    response = post_money(auth_client, "deposit", {"amount": "1.00", "currency": "USD"})
    assert response.json()["metadata"] == {}
    assert Transaction.objects.get(pk=response.json()["id"]).metadata == {}


def test_holds_and_refunds_carry_their_own_metadata(auth_client, wallet, other_wallet, other_user, assert_reconciled):
    fund(wallet, 10_000)
    hold = auth_client.post(
        "/api/v1/holds",
        {"amount": "5.00", "currency": "USD", "pin": TEST_PIN, "metadata": {"booking": "B-77"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert hold.status_code == 201 and hold.json()["metadata"] == {"booking": "B-77"}
    assert Transaction.objects.get(pk=hold.json()["authorization"]).metadata == {"booking": "B-77"}
    paid = post_money(auth_client, "transfer", _body("transfer", other_wallet, ORDER)).json()

    refund = _refund(client_for(other_user), paid["id"], {"metadata": {"rma": "R-5"}})

    assert refund.status_code == 201, refund.json()
    assert refund.json()["metadata"] == {"rma": "R-5"}
    assert Transaction.objects.get(pk=refund.json()["id"]).metadata == {"rma": "R-5"}
    assert auth_client.get(f"/api/v1/transactions/{refund.json()['id']}").json()["metadata"] == {"rma": "R-5"}
    assert_reconciled()


def test_the_largest_metadata_allowed_is_accepted(auth_client, wallet, assert_reconciled):
    largest = {f"k{i:02d}_" + "x" * 36: "v" * 500 for i in range(20)}
    assert all(len(key) == 40 for key in largest)
    response = post_money(auth_client, "deposit", _body("deposit", None, largest))
    assert response.status_code == 201, response.json()
    assert Transaction.objects.get(pk=response.json()["id"]).metadata == largest
    assert_reconciled()


BAD_METADATA = [
    pytest.param(["order_id", "A-1"], id="a-list"),
    pytest.param("order_id=A-1", id="a-string"),
    pytest.param(7, id="a-number"),
    pytest.param(None, id="null"),
    pytest.param({f"k{i}": "v" for i in range(21)}, id="21-keys"),
    pytest.param({"Order_ID": "A-1"}, id="uppercase-key"),
    pytest.param({"order-id": "A-1"}, id="hyphen-in-key"),
    pytest.param({"": "A-1"}, id="empty-key"),
    pytest.param({"k" * 41: "A-1"}, id="41-character-key"),
    pytest.param({"ordér": "A-1"}, id="non-ascii-key"),
    pytest.param({"order_id\n": "A-1"}, id="key-with-trailing-newline"),
    pytest.param({"order_id": 1009}, id="number-value"),
    pytest.param({"order_id": None}, id="null-value"),
    pytest.param({"order_id": True}, id="boolean-value"),
    pytest.param({"order": {"id": "A-1"}}, id="nested-value"),
    pytest.param({"order_id": "x" * 501}, id="501-character-value"),
    pytest.param({"note": "a\x00b"}, id="nul-in-value"),
]


@pytest.mark.parametrize("operation", ["deposit", "transfer"])
@pytest.mark.parametrize("metadata", BAD_METADATA)
def test_bad_metadata_is_a_validation_error_and_posts_nothing(operation, metadata, auth_client, wallet, other_wallet):
    fund(wallet, 10_000)
    before = ledger_snapshot()

    response = post_money(auth_client, operation, _body(operation, other_wallet, metadata))

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "metadata" in response.json()["error"]["details"]["fields"]
    assert ledger_snapshot() == before


def test_a_lone_surrogate_in_metadata_is_a_malformed_request(auth_client, wallet):
    # JSON may escape half a surrogate pair; PostgreSQL's jsonb refuses to store one (the parser refuses it).
    before = ledger_snapshot()
    response = _post_raw(auth_client, "deposit", '{"amount": "1.00", "currency": "USD", "metadata": {"n": "\\ud800"}}')
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_request"
    assert ledger_snapshot() == before


@pytest.mark.parametrize("metadata", [{"Bad": "x"}, {"note": "x" * 501}, [], {"note": "a\x00b"}])
def test_bad_metadata_on_a_refund_or_a_hold_posts_nothing(metadata, auth_client, wallet, other_wallet, other_user):
    fund(wallet, 10_000)
    paid = post_money(auth_client, "transfer", _body("transfer", other_wallet, {})).json()
    before = ledger_snapshot()

    refund = _refund(client_for(other_user), paid["id"], {"metadata": metadata})
    hold = auth_client.post(
        "/api/v1/holds",
        {"amount": "5.00", "currency": "USD", "pin": TEST_PIN, "metadata": metadata},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    for response in (refund, hold):
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "validation_error"
        assert "metadata" in response.json()["error"]["details"]["fields"]
    assert ledger_snapshot() == before


def test_metadata_is_part_of_the_idempotency_fingerprint(auth_client, wallet, assert_reconciled):
    first = post_money(auth_client, "deposit", _body("deposit", None, {"order_id": "A-1"}), key="dep-1")
    replay = post_money(auth_client, "deposit", _body("deposit", None, {"order_id": "A-1"}), key="dep-1")
    other = post_money(auth_client, "deposit", _body("deposit", None, {"order_id": "A-2"}), key="dep-1")
    none = post_money(auth_client, "deposit", {"amount": "1.00", "currency": "USD"}, key="dep-1")

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json()["id"] == first.json()["id"]
    assert replay.json()["metadata"] == {"order_id": "A-1"}
    for refused in (other, none):
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "idempotency_key_reused"
    assert Transaction.objects.filter(kind=TransactionKind.DEPOSIT).count() == 1
    assert_reconciled()


def test_no_metadata_and_empty_metadata_are_the_same_request(auth_client, wallet, assert_reconciled):
    first = post_money(auth_client, "deposit", {"amount": "1.00", "currency": "USD"}, key="dep-2")
    again = post_money(auth_client, "deposit", _body("deposit", None, {}), key="dep-2")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert_reconciled()


def test_a_refunds_metadata_is_part_of_its_fingerprint(auth_client, wallet, other_wallet, other_user):
    fund(wallet, 10_000)
    paid = post_money(auth_client, "transfer", _body("transfer", other_wallet, {})).json()
    receiver = client_for(other_user)
    first = _refund(receiver, paid["id"], {"amount": "1.00", "metadata": {"rma": "R-1"}}, key="ref-1")
    other = _refund(receiver, paid["id"], {"amount": "1.00", "metadata": {"rma": "R-2"}}, key="ref-1")
    assert first.status_code == 201
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Transaction.objects.filter(kind=TransactionKind.REFUND).count() == 1


@pytest.fixture
def labelled(auth_client, wallet):
    """Four deposits of the caller's: two for order A-1 (one of them from the shop), one for A-2, one unlabelled."""
    ids = {}
    for name, metadata in [
        ("a1", {"order_id": "A-1"}),
        ("a1_shop", {"order_id": "A-1", "channel": "shop"}),
        ("a2", {"order_id": "A-2", "channel": "shop"}),
        ("plain", {}),
    ]:
        ids[name] = post_money(auth_client, "deposit", _body("deposit", None, metadata)).json()["id"]
    return ids


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["id"] for t in response.json()["results"]]


def test_history_filters_on_one_metadata_pair(auth_client, labelled):
    assert _ids(_history(auth_client, "metadata[order_id]=A-1")) == [labelled["a1_shop"], labelled["a1"]]
    assert _ids(_history(auth_client, "metadata[channel]=shop")) == [labelled["a2"], labelled["a1_shop"]]
    assert _ids(_history(auth_client, "metadata[order_id]=A-3")) == []
    assert _history(auth_client, "metadata[order_id]=A-1").json()["count"] == 2


def test_history_with_several_metadata_pairs_needs_all_of_them(auth_client, labelled):
    both = _history(auth_client, "metadata[order_id]=A-1&metadata[channel]=shop")
    assert _ids(both) == [labelled["a1_shop"]]
    assert _ids(_history(auth_client, "metadata[order_id]=A-1&metadata[channel]=web")) == []
    with_kind = _history(auth_client, "metadata[channel]=shop&kind=deposit&limit=1")
    assert _ids(with_kind) == [labelled["a2"]] and with_kind.json()["count"] == 2
    assert _ids(_history(auth_client, "metadata[channel]=shop&kind=withdrawal")) == []


def test_keyset_pages_of_history_keep_the_metadata_filter(auth_client, labelled):
    first = _history(auth_client, "cursor=&limit=1&metadata[order_id]=A-1").json()
    assert [t["id"] for t in first["results"]] == [labelled["a1_shop"]]
    second = auth_client.get(first["next"]).json()
    assert [t["id"] for t in second["results"]] == [labelled["a1"]]
    assert second["next"] is None


def test_history_by_metadata_shows_only_the_callers_transactions(auth_client, labelled, other_wallet, other_user):
    theirs = post_money(client_for(other_user), "deposit", _body("deposit", None, {"order_id": "A-1"})).json()
    assert theirs["id"] not in _ids(_history(auth_client, "metadata[order_id]=A-1"))
    assert _ids(_history(client_for(other_user), "metadata[order_id]=A-1")) == [theirs["id"]]


@pytest.mark.parametrize(
    "query",
    [
        "metadata[Order]=A-1",
        "metadata[]=A-1",
        "metadata[order-id]=A-1",
        f"metadata[{'k' * 41}]=A-1",
        f"metadata[order_id]={'x' * 501}",
        "metadata[order_id]=a%00b",
        "&".join(f"metadata[k{i}]=v" for i in range(21)),
    ],
)
def test_bad_metadata_filters_are_400(auth_client, labelled, query):
    response = _history(auth_client, query)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert "metadata" in response.json()["error"]["details"]["fields"]


def test_a_metadata_filter_can_use_the_partial_gin_index(user, wallet):
    # given enough postings, most without metadata and a few with labels, and fresh statistics
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    for i in range(600):
        metadata = {"order_id": f"A-{i}", "batch": str(i % 7)} if i % 3 == 0 else {}
        ledger_post(
            kind=TransactionKind.DEPOSIT,
            source=world,
            destination=wallet,
            amount=Money(100, currency_for("USD")),
            initiator=user,
            metadata=metadata,
        )
    # The query a history page runs: its entry ids, newest first, one page of them.
    entries = entry_history_for_user(user=user, metadata={"order_id": "A-300"}).values("id")[:10]
    sql, params = entries.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_transaction")
        cursor.execute("ANALYZE ledger_entry")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = json.dumps(cursor.fetchone()[0])
        cursor.execute("RESET enable_seqscan")

    assert "transaction_metadata_idx" in plan, plan
    assert len(entries) == 1
