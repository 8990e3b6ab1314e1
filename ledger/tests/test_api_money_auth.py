"""Money requests read no user row before posting: the posting's round trip checks the token's user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import sessions_logout_all, user_deactivate
from accounts.tests.conftest import login
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from ledger.models import Transaction
from ledger.tests.helpers import fund, post_money

pytestmark = pytest.mark.django_db


def _signed_in(user) -> APIClient:
    client = APIClient()
    access = login(client, user.email, DEFAULT_PASSWORD).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _transfer(client, to_wallet):
    return post_money(client, "transfer", {"to_wallet": to_wallet.public_id, "amount": "1.00", "currency": "USD"})


def test_a_transfer_is_one_statement_from_the_token_to_the_posting(user, wallet, other_wallet, assert_reconciled):
    fund(wallet, 10_00)
    client = _signed_in(user)
    assert _transfer(client, other_wallet).status_code == 201  # the process learns the PIN's salt
    with CaptureQueriesContext(connection) as captured:
        assert _transfer(client, other_wallet).status_code == 201
    assert [q["sql"][:40] for q in captured.captured_queries] == ["SELECT * FROM ledger_money_request('tran"]
    assert_reconciled()


def test_a_token_issued_before_a_logout_everywhere_moves_no_money(user, wallet, other_wallet):
    fund(wallet, 10_00)
    client = _signed_in(user)
    sessions_logout_all(user=user)
    response = _transfer(client, other_wallet)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "token_not_valid")
    assert not Transaction.objects.filter(kind="transfer").exists()


def test_a_deactivated_users_token_moves_no_money(user, wallet, other_wallet):
    fund(wallet, 10_00)
    client = _signed_in(user)
    admin = UserFactory(is_staff=True, is_superuser=True)
    user_deactivate(user=user, actor=admin, reason="fraud report")
    response = _transfer(client, other_wallet)
    assert response.status_code == 401
    assert not Transaction.objects.filter(kind="transfer").exists()
