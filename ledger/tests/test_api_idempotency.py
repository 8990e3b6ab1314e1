from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from conftest import client_for
from ledger.models import IdempotencyRecord, Transaction
from ledger.tests.helpers import fund, ledger_snapshot, post_money

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("operation", ["deposit", "withdraw", "transfer"])
def test_money_requests_need_an_idempotency_key(auth_client, wallet, other_wallet, operation):
    fund(wallet, 1000)
    before = ledger_snapshot()
    body = {"amount": "1", "currency": "USD", "to_wallet": other_wallet.public_id}
    response = post_money(auth_client, operation, body, key=None)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"
    assert ledger_snapshot() == before


def test_overlong_key_is_refused(auth_client, wallet):
    response = post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="k" * 256)
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_same_key_and_body_replays_without_paying_twice(auth_client, wallet, other_wallet, assert_reconciled):
    fund(wallet, 1000)
    body = {"to_wallet": other_wallet.public_id, "amount": "2.50", "currency": "USD"}
    first = post_money(auth_client, "transfer", body, key="retry-me")
    second = post_money(auth_client, "transfer", body, key="retry-me")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    other_wallet.refresh_from_db()
    assert other_wallet.balance == 250
    assert Transaction.objects.filter(kind="transfer").count() == 1
    assert_reconciled()


def test_x_idempotency_key_header_is_accepted(auth_client, wallet):
    first = auth_client.post(
        "/api/v1/transactions/deposit", {"amount": "1", "currency": "USD"}, format="json", HTTP_X_IDEMPOTENCY_KEY="x1"
    )
    second = post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="x1")
    assert first.status_code == 201
    assert second["Idempotent-Replayed"] == "true"


def test_same_key_different_body_is_422(auth_client, wallet):
    post_money(auth_client, "deposit", {"amount": "1.00", "currency": "USD"}, key="k1")
    before = ledger_snapshot()
    response = post_money(auth_client, "deposit", {"amount": "2.00", "currency": "USD"}, key="k1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert ledger_snapshot() == before


def test_same_key_on_another_operation_is_422(auth_client, wallet):
    post_money(auth_client, "deposit", {"amount": "1.00", "currency": "USD"}, key="k1")
    response = post_money(auth_client, "withdraw", {"amount": "1.00", "currency": "USD"}, key="k1")
    assert response.status_code == 422


def test_equivalent_amount_spellings_are_the_same_request(auth_client, wallet):
    post_money(auth_client, "deposit", {"amount": "1.5", "currency": "USD"}, key="k1")
    replay = post_money(auth_client, "deposit", {"amount": "1.50", "currency": "USD"}, key="k1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"


def test_keys_are_scoped_per_user(user, other_user, wallet, other_wallet):
    a = post_money(client_for(user), "deposit", {"amount": "1", "currency": "USD"}, key="shared")
    b = post_money(client_for(other_user), "deposit", {"amount": "1", "currency": "USD"}, key="shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_a_refused_request_does_not_consume_its_key(auth_client, wallet, assert_reconciled):
    refused = post_money(auth_client, "withdraw", {"amount": "5", "currency": "USD"}, key="later")
    assert refused.json()["error"]["code"] == "insufficient_funds"
    fund(wallet, 1000)
    accepted = post_money(auth_client, "withdraw", {"amount": "5", "currency": "USD"}, key="later")
    assert accepted.status_code == 201
    assert "Idempotent-Replayed" not in accepted
    assert_reconciled()


def test_expired_keys_are_purged_and_can_be_used_again(auth_client, wallet):
    post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        call_command("purge_idempotency_keys")
        assert not IdempotencyRecord.objects.exists()
        again = post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Transaction.objects.filter(kind="deposit").count() == 2


def test_expired_but_unpurged_key_is_free_again(auth_client, wallet):
    post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        again = post_money(auth_client, "deposit", {"amount": "2", "currency": "USD"}, key="old")
    assert again.status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_purge_task_deletes_only_expired_records(auth_client, wallet):
    from ledger.tasks import purge_expired_idempotency_keys

    post_money(auth_client, "deposit", {"amount": "1", "currency": "USD"}, key="fresh")
    assert purge_expired_idempotency_keys() == 0
    assert IdempotencyRecord.objects.count() == 1
