from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import UserFactory
from conftest import client_for
from ledger.tests.helpers import fund, post_money

pytestmark = pytest.mark.django_db


def _transfer(client, to_wallet, amount="1"):
    return post_money(client, "transfer", {"to_wallet": to_wallet.public_id, "amount": amount, "currency": "USD"})


def test_history_is_newest_first_and_paginated(auth_client, wallet, other_wallet, settings):
    settings.TRANSFER_NEW_RECIPIENT_DAILY_MAX = 100  # twelve payments to one new recipient: not under test here
    fund(wallet, 10_000)
    for cents in range(1, 13):
        _transfer(auth_client, other_wallet, amount=f"0.{cents:02d}")
    page = auth_client.get("/api/v1/transactions").json()
    assert page["count"] == 13
    assert len(page["results"]) == 10
    assert page["results"][0]["amount"] == "0.12"
    assert page["next"] is not None
    rest = auth_client.get("/api/v1/transactions?limit=10&offset=10").json()
    assert [t["kind"] for t in rest["results"]] == ["transfer", "transfer", "deposit"]


def test_history_filters_by_kind_and_date(auth_client, wallet, other_wallet):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        fund(wallet, 10_000)
    _transfer(auth_client, other_wallet)
    transfers = auth_client.get("/api/v1/transactions?kind=transfer").json()
    assert [t["kind"] for t in transfers["results"]] == ["transfer"]
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    recent = auth_client.get(f"/api/v1/transactions?created_after={since}").json()
    assert recent["count"] == 1
    before = auth_client.get(f"/api/v1/transactions?created_before={since}").json()
    assert [t["kind"] for t in before["results"]] == ["deposit"]


@pytest.mark.parametrize("query", ["kind=bogus", "created_after=yesterday", "created_before=2026-13-01"])
def test_bad_history_filters_are_400(auth_client, wallet, query):
    response = auth_client.get(f"/api/v1/transactions?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_history_shows_only_my_transactions(user, other_user, wallet, other_wallet):
    fund(wallet, 500)
    fund(other_wallet, 700)
    mine = client_for(user).get("/api/v1/transactions").json()
    assert [t["amount"] for t in mine["results"]] == ["5.00"]


def test_another_users_transaction_and_entries_are_404(user, other_user, wallet, other_wallet):
    fund(other_wallet, 700)
    theirs = client_for(other_user).get("/api/v1/transactions").json()["results"][0]["id"]
    intruder = client_for(user)
    for path in (f"/api/v1/transactions/{theirs}", f"/api/v1/transactions/{theirs}/entries"):
        response = intruder.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_unknown_transaction_is_404(auth_client, wallet):
    response = auth_client.get("/api/v1/transactions/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404


def test_entries_show_both_legs_but_only_my_balance(user, other_user, wallet, other_wallet):
    fund(wallet, 1000)
    sent = _transfer(client_for(user), other_wallet, amount="3.00").json()
    entries = client_for(user).get(f"/api/v1/transactions/{sent['id']}/entries").json()
    by_wallet = {e["wallet"]: e for e in entries}
    assert by_wallet[wallet.public_id]["direction"] == "debit"
    assert by_wallet[wallet.public_id]["balance_after"] == "7.00"
    assert by_wallet[other_wallet.public_id]["direction"] == "credit"
    assert by_wallet[other_wallet.public_id]["balance_after"] is None
    assert {e["amount"] for e in entries} == {"3.00"}


def test_deposit_entries_name_the_outside_world(auth_client, wallet):
    fund(wallet, 1000)
    txn = auth_client.get("/api/v1/transactions").json()["results"][0]
    entries = auth_client.get(f"/api/v1/transactions/{txn['id']}/entries").json()
    assert sorted(e["wallet"] for e in entries) == sorted(["external", wallet.public_id])


def test_history_filters_by_direction(auth_client, wallet, other_wallet, other_user):
    fund(wallet, 10_000)
    fund(other_wallet, 10_000)
    _transfer(auth_client, other_wallet, amount="1.25")
    _transfer(client_for(other_user), wallet, amount="2.50")
    incoming = auth_client.get("/api/v1/transactions?direction=in").json()
    assert [(t["kind"], t["amount"], t["direction"]) for t in incoming["results"]] == [
        ("transfer", "2.50", "in"),
        ("deposit", "100.00", "in"),
    ]
    outgoing = auth_client.get("/api/v1/transactions?direction=out").json()
    assert [(t["amount"], t["direction"]) for t in outgoing["results"]] == [("1.25", "out")]
    keyset = auth_client.get("/api/v1/transactions?direction=out&cursor=").json()
    assert [t["amount"] for t in keyset["results"]] == ["1.25"]


def test_history_refuses_an_unknown_direction(auth_client, wallet):
    response = auth_client.get("/api/v1/transactions?direction=sideways")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_lookup_by_reference_is_the_callers_own_only(auth_client, wallet, other_wallet, other_user, user):
    fund(wallet, 10_000)
    sent = _transfer(auth_client, other_wallet, amount="3.00").json()
    mine = auth_client.get(f"/api/v1/transactions/by-reference/{sent['reference']}")
    assert mine.status_code == 200
    assert mine.json()["id"] == sent["id"]
    assert mine.json()["direction"] == "out"
    # the recipient is a party too, and sees it from their side
    theirs = client_for(other_user).get(f"/api/v1/transactions/by-reference/{sent['reference']}")
    assert theirs.json()["direction"] == "in"
    # a stranger gets the same 404 as for a reference that does not exist
    stranger = client_for(UserFactory())
    for client, reference in ((stranger, sent["reference"]), (auth_client, "TXN-0000000000000000")):
        response = client.get(f"/api/v1/transactions/by-reference/{reference}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
