"""History pages: offset pages with a count, keyset (cursor) pages, and strict query parameters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from conftest import client_for, new_key, usd
from ledger.idempotency import idempotency_request_build
from ledger.services import wallet_deposit
from ledger.tests.helpers import fund, post_money
from vaultpay.money import currency_for
from wallets.services import wallet_create


def _deposits(user, count: int) -> None:
    for i in range(count):
        request = idempotency_request_build(user=user, key=new_key(), operation="deposit", payload={"i": i})
        wallet_deposit(user=user, amount=usd(100 + i), idempotency=request)


@pytest.mark.django_db
def test_cursor_pages_walk_the_whole_history_newest_first(user, wallet, auth_client, assert_reconciled):
    # given
    _deposits(user, 7)
    # when
    seen, path = [], "/api/v1/transactions?cursor=&limit=3"
    while path:
        page = auth_client.get(path)
        assert page.status_code == 200, page.json()
        assert "count" not in page.json()
        seen += [t["amount"] for t in page.json()["results"]]
        path = page.json()["next"]
    # then
    assert seen == [f"{(100 + i) / 100:.2f}" for i in reversed(range(7))]
    assert_reconciled()


@pytest.mark.django_db
def test_offset_pages_keep_their_count(user, wallet, auth_client, assert_reconciled):
    _deposits(user, 4)
    page = auth_client.get("/api/v1/transactions?limit=2&offset=2").json()
    assert page["count"] == 4
    assert [t["amount"] for t in page["results"]] == ["1.01", "1.00"]
    assert_reconciled()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["kind=", "limit=abc", "limit=0", "limit=101", "offset=-1", "created_after="])
def test_bad_query_parameters_are_refused(auth_client, wallet, query):
    response = auth_client.get(f"/api/v1/transactions?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.django_db
def test_a_forged_cursor_is_not_found(auth_client, wallet):
    response = auth_client.get("/api/v1/transactions?cursor=not-a-cursor")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _page(client, path: str) -> tuple[int, list[dict]]:
    """(SQL statements the request ran, its rows)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.json()
    return len(captured.captured_queries), response.json()["results"]


@pytest.mark.django_db
@pytest.mark.parametrize("pagination", ["cursor=&", ""])
def test_a_page_costs_the_same_queries_however_many_counterparties_it_names(
    user, wallet, auth_client, pagination, assert_reconciled
):
    # given: payments in from six different people, each named as the counterparty
    senders = [UserFactory(first_name=f"Sender{i}", last_name="") for i in range(6)]
    for i, sender in enumerate(senders):
        fund(wallet_create(owner=sender, currency=currency_for("USD")), 1_000)
        response = post_money(
            client_for(sender), "transfer", {"to_wallet": wallet.public_id, "amount": f"{i + 1}.00", "currency": "USD"}
        )
        assert response.status_code == 201, response.json()
    # when
    one_queries, one_row = _page(auth_client, f"/api/v1/transactions?{pagination}limit=1")
    six_queries, six_rows = _page(auth_client, f"/api/v1/transactions?{pagination}limit=6")
    # then: no query per row (the caller's wallets, the page's ids, its rows, their wallets with their
    # owners, and the offset pages' count), and every row still names its sender
    assert six_queries == one_queries <= 5
    assert [row["counterparty"]["name"] for row in six_rows] == [f"Sender{i}" for i in reversed(range(6))]
    assert all(row["direction"] == "in" for row in six_rows)
    assert one_row == six_rows[:1]
    assert_reconciled()
