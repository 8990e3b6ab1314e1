"""Holds through the API: authorize, capture (all or part), void, and what each leaves in the ledger."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conftest import client_for
from ledger.models import Entry, Hold, HoldStatus, Transaction, TransactionKind
from ledger.tests.helpers import TEST_PIN, fund, ledger_snapshot
from vaultpay.money import currency_for
from wallets.models import SystemWalletPurpose, Wallet, WalletUsage
from wallets.services import wallet_create, wallet_system_get

pytestmark = pytest.mark.django_db


def _post(client, path: str, body: dict | None = None, key: str | None = None):
    return client.post(f"/api/v1/{path}", body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def _authorize(client, amount="30.00", key: str | None = None, **extra):
    return _post(client, "holds", {"amount": amount, "currency": "USD", "pin": TEST_PIN} | extra, key=key)


def _capture(client, hold_id, key: str | None = None, **body):
    return _post(client, f"holds/{hold_id}/capture", {"pin": TEST_PIN} | body, key=key)


def _money_state() -> tuple:
    """Everything a hold request may change: balances, on_hold, postings, keys, holds, limit counters."""
    return (
        ledger_snapshot(),
        sorted(Wallet.objects.values_list("pk", "on_hold")),
        sorted(Hold.objects.values_list("pk", "status", "captured_amount")),
        sorted(WalletUsage.objects.values_list("owner_id", "day_total", "month_total")),
    )


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def _shown(client) -> tuple[str, str, str]:
    body = client.get("/api/v1/wallet").json()
    return body["balance"], body["available"], body["on_hold"]


def test_authorize_sets_money_aside(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    response = _authorize(auth_client, metadata={"booking": "B-77"}, description="Room 12")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "authorized" and body["amount"] == "30.00" and body["metadata"] == {"booking": "B-77"}
    shown = auth_client.get("/api/v1/wallet").json()
    assert (shown["balance"], shown["available"], shown["on_hold"]) == ("100.00", "70.00", "30.00")
    assert Transaction.objects.get(pk=body["authorization"]).kind == TransactionKind.HOLD
    assert_reconciled()


def test_authorization_posts_from_the_wallet_into_holds(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    body = _authorize(auth_client).json()
    holds = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.HOLDS)
    authorization = Transaction.objects.get(pk=body["authorization"])
    assert (authorization.from_wallet_id, authorization.to_wallet_id, authorization.amount) == (
        wallet.pk,
        holds.pk,
        3_000,
    )
    assert {(e.wallet_id, e.direction, e.amount) for e in Entry.objects.filter(transaction=authorization)} == {
        (wallet.pk, "debit", 3_000),
        (holds.pk, "credit", 3_000),
    }
    assert (body["wallet"], body["to_wallet"], body["captured_amount"], body["capture"]) == (
        wallet.public_id,
        None,
        "0.00",
        None,
    )
    assert_reconciled()


def test_a_hold_expires_after_the_default_unless_asked_for_less(auth_client, wallet, settings, assert_reconciled):
    fund(wallet, 10_000)
    default = _authorize(auth_client).json()
    lifetime = parse_datetime(default["expires_at"]) - parse_datetime(default["created_at"])
    assert lifetime == timedelta(days=7) == settings.HOLD_DEFAULT_EXPIRY
    short = _authorize(auth_client, expires_in_seconds=3600).json()
    assert parse_datetime(short["expires_at"]) - parse_datetime(short["created_at"]) == timedelta(hours=1)
    settings.HOLD_DEFAULT_EXPIRY = timedelta(days=2)
    configured = _authorize(auth_client).json()
    assert parse_datetime(configured["expires_at"]) - parse_datetime(configured["created_at"]) == timedelta(days=2)
    assert_reconciled()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": "0"}, "amount_not_positive"),
        ({"amount": "-5.00"}, "amount_not_positive"),
        ({"amount": "1.005"}, "amount_too_precise"),
        ({"amount": 12.5}, "amount_invalid"),
        ({"amount": "ten"}, "amount_invalid"),
        ({"amount": "1" * 40}, "amount_too_large"),
        ({"currency": "usd"}, "currency_invalid"),
        ({"currency": "XYZ"}, "currency_unsupported"),
        ({"metadata": {"Bad Key": "x"}}, "validation_error"),
        ({"metadata": {"order": 7}}, "validation_error"),
        ({"metadata": ["not", "an", "object"]}, "validation_error"),
        ({"expires_in_seconds": 59}, "validation_error"),
        ({"expires_in_seconds": int(settings.HOLD_MAX_EXPIRY.total_seconds()) + 1}, "validation_error"),
        ({"expires_in_seconds": "soon"}, "validation_error"),
        ({"to_wallet": "not-a-wallet"}, "validation_error"),
    ],
)
def test_a_bad_hold_request_is_refused_and_changes_nothing(auth_client, wallet, change, code, assert_reconciled):
    fund(wallet, 10_000)
    before = _money_state()
    response = _post(auth_client, "holds", {"amount": "30.00", "currency": "USD", "pin": TEST_PIN} | change)
    error = _error(response, 400, code)
    if code == "validation_error":
        assert set(error["details"]["fields"]) == set(change)  # the field at fault is named
    assert _money_state() == before
    assert_reconciled()


def test_a_hold_above_the_balance_is_refused(auth_client, wallet, assert_reconciled):
    fund(wallet, 2_000)
    # @holds exists before any hold (`manage.py create_system_wallets`); otherwise the first request makes it.
    wallet_system_get(currency="USD", purpose=SystemWalletPurpose.HOLDS)
    before = _money_state()
    error = _error(_authorize(auth_client, amount="20.01"), 409, "insufficient_funds")
    assert error["details"] == {"balance": "20.00", "requested": "20.01"}
    assert _money_state() == before
    assert_reconciled()


def test_a_hold_in_another_currency_than_the_wallet_is_refused(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    before = _money_state()
    _error(
        _post(auth_client, "holds", {"amount": "30.00", "currency": "EUR", "pin": TEST_PIN}), 409, "currency_mismatch"
    )
    assert _money_state() == before
    assert_reconciled()


def test_a_hold_above_the_daily_limit_is_refused(auth_client, wallet, assert_reconciled):
    # given an unverified wallet (daily limit 500.00 USD) holding more than that
    fund(wallet, 80_000)
    assert _authorize(auth_client, amount="300.00").status_code == 201
    before = _money_state()
    # when a second hold would take the day's spending past the limit
    error = _error(_authorize(auth_client, amount="200.01"), 403, "limit_exceeded")
    # then it is refused with what is left, and nothing moved
    assert (error["details"]["period"], error["details"]["used"], error["details"]["remaining"]) == (
        "daily",
        "300.00",
        "200.00",
    )
    assert _money_state() == before
    assert _authorize(auth_client, amount="200.00").status_code == 201
    assert_reconciled()


def test_a_hold_with_an_unknown_or_own_payee_is_refused(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    before = _money_state()
    _error(_authorize(auth_client, to_wallet="VPY-ZZZZZZ"), 404, "wallet_not_found")
    _error(_authorize(auth_client, to_wallet=wallet.public_id), 400, "self_transfer")
    assert _money_state() == before
    assert_reconciled()


def test_a_hold_for_a_payee_in_another_currency_is_refused(auth_client, wallet, other_user, assert_reconciled):
    # A default payee the hold could never pay: refused when the hold is asked for, not at its capture.
    euro_wallet = wallet_create(owner=other_user, currency=currency_for("EUR"))
    fund(wallet, 10_000)
    before = _money_state()
    _error(_authorize(auth_client, to_wallet=euro_wallet.public_id), 409, "currency_mismatch")
    assert _money_state() == before
    assert_reconciled()


def test_a_wrong_pin_is_refused_and_moves_nothing(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    before = _money_state()
    _error(_authorize(auth_client, pin="0000"), 403, "pin_invalid")
    _error(_capture(auth_client, hold_id, pin="0000"), 403, "pin_invalid")
    assert _money_state() == before
    assert Hold.objects.get(pk=hold_id).status == HoldStatus.AUTHORIZED
    assert_reconciled()


def test_a_hold_without_a_pin_is_refused(auth_client, wallet):
    fund(wallet, 10_000)
    before = _money_state()
    response = _post(auth_client, "holds", {"amount": "30.00", "currency": "USD"})
    assert response.status_code == 400 and "pin" in response.json()["error"]["details"]["fields"]
    assert _money_state() == before


def test_every_hold_request_needs_an_idempotency_key(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    before = _money_state()
    requests = [
        ("holds", {"amount": "30.00", "currency": "USD", "pin": TEST_PIN}),
        (f"holds/{hold_id}/capture", {"pin": TEST_PIN}),
        (f"holds/{hold_id}/void", {}),
    ]
    for path, body in requests:
        response = auth_client.post(f"/api/v1/{path}", body, format="json")
        _error(response, 400, "idempotency_key_required")
    assert _money_state() == before
    assert_reconciled()


def test_a_replayed_hold_returns_the_same_hold_and_posts_nothing(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    first = _authorize(auth_client, key="hold-1")
    before = _money_state()
    again = _authorize(auth_client, key="hold-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first.headers
    assert _money_state() == before
    assert _shown(auth_client) == ("100.00", "70.00", "30.00")
    assert_reconciled()


def test_a_replayed_capture_and_void_answer_again_without_posting(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    captured_id = _authorize(auth_client).json()["id"]
    voided_id = _authorize(auth_client).json()["id"]
    first_capture = _capture(auth_client, captured_id, key="capture-1", amount="10.00")
    first_void = _post(auth_client, f"holds/{voided_id}/void", key="void-1")
    before = _money_state()
    again_capture = _capture(auth_client, captured_id, key="capture-1", amount="10.00")
    again_void = _post(auth_client, f"holds/{voided_id}/void", key="void-1")
    for first, again in ((first_capture, again_capture), (first_void, again_void)):
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    assert _money_state() == before
    assert_reconciled()


def test_one_key_for_a_different_hold_request_is_refused(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client, key="k-1").json()["id"]
    _capture(auth_client, hold_id, key="k-2", amount="5.00")
    before = _money_state()
    _error(_authorize(auth_client, amount="31.00", key="k-1"), 422, "idempotency_key_reused")
    _error(_authorize(auth_client, description="Other", key="k-1"), 422, "idempotency_key_reused")
    _error(_capture(auth_client, hold_id, key="k-2", amount="6.00"), 422, "idempotency_key_reused")
    assert _money_state() == before
    assert_reconciled()


def test_full_capture_without_a_payee_is_a_withdrawal_to_world(auth_client, wallet, user, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client, amount="40.00").json()["id"]
    response = _capture(auth_client, hold_id)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["captured_amount"]) == ("captured", "40.00")
    capture = Transaction.objects.get(pk=body["capture"])
    world = wallet_system_get(currency="USD", purpose=SystemWalletPurpose.WORLD)
    assert (capture.kind, capture.from_wallet_id, capture.to_wallet_id, capture.amount) == (
        TransactionKind.HOLD_CAPTURE,
        wallet.pk,
        world.pk,
        4_000,
    )
    seen = auth_client.get(f"/api/v1/transactions/{capture.pk}").json()
    assert (seen["direction"], seen["to_wallet"], seen["amount"]) == ("out", None, "40.00")
    assert _shown(auth_client) == ("60.00", "60.00", "0.00")
    assert_reconciled()


def test_capture_pays_the_hold_payee_by_default_and_another_when_asked(
    auth_client, wallet, other_wallet, assert_reconciled
):
    from accounts.tests.factories import UserFactory

    third = wallet_create(owner=UserFactory(), currency=currency_for("USD"))
    fund(wallet, 10_000)
    to_default = _authorize(auth_client, to_wallet=other_wallet.public_id).json()
    to_other = _authorize(auth_client, to_wallet=other_wallet.public_id).json()
    assert to_default["to_wallet"] == other_wallet.public_id
    assert _capture(auth_client, to_default["id"]).status_code == 201
    assert _capture(auth_client, to_other["id"], to_wallet=third.public_id, amount="5.00").status_code == 201
    other_wallet.refresh_from_db()
    third.refresh_from_db()
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold, other_wallet.balance, third.balance) == (6_500, 0, 3_000, 500)
    assert_reconciled()


def test_partial_capture_pays_the_payee_and_releases_the_rest(auth_client, wallet, other_wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client, to_wallet=other_wallet.public_id).json()["id"]
    response = _post(auth_client, f"holds/{hold_id}/capture", {"amount": "12.50", "pin": TEST_PIN})
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "captured" and response.json()["captured_amount"] == "12.50"
    wallet.refresh_from_db()
    other_wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold, other_wallet.balance) == (8_750, 0, 1_250)
    again = _post(auth_client, f"holds/{hold_id}/void")
    assert again.status_code == 409 and again.json()["error"]["code"] == "hold_not_authorized"
    assert_reconciled()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("30.01", "hold_capture_exceeds_amount"),
        ("0.00", "amount_not_positive"),
        ("1.001", "amount_too_precise"),
        (None, "amount_invalid"),
    ],
)
def test_a_capture_of_a_bad_amount_is_refused(auth_client, wallet, amount, code, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    before = _money_state()
    error = _error(_capture(auth_client, hold_id, amount=amount), 400, code)
    if code == "hold_capture_exceeds_amount":
        assert error["details"] == {"amount": "30.00 USD"}
    assert _money_state() == before
    assert _shown(auth_client) == ("100.00", "70.00", "30.00")
    assert_reconciled()


def test_a_capture_to_oneself_is_refused(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    before = _money_state()
    _error(_capture(auth_client, hold_id, to_wallet=wallet.public_id), 400, "self_transfer")
    assert _money_state() == before
    assert_reconciled()


@pytest.mark.parametrize("settle", ["capture", "void"])
@pytest.mark.parametrize("then", ["capture", "void"])
def test_a_settled_hold_cannot_be_settled_again(auth_client, wallet, settle, then, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    first = _capture(auth_client, hold_id) if settle == "capture" else _post(auth_client, f"holds/{hold_id}/void")
    assert first.status_code == 201
    before = _money_state()
    second = _capture(auth_client, hold_id) if then == "capture" else _post(auth_client, f"holds/{hold_id}/void")
    error = _error(second, 409, "hold_not_authorized")
    assert error["details"] == {"status": "captured" if settle == "capture" else "voided"}
    assert _money_state() == before
    assert_reconciled()


def test_an_expired_hold_not_yet_swept_cannot_be_captured_but_can_be_voided(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    Hold.objects.filter(pk=hold_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _money_state()
    _error(_capture(auth_client, hold_id), 409, "hold_expired")
    assert _money_state() == before
    assert Hold.objects.get(pk=hold_id).status == HoldStatus.AUTHORIZED
    voided = _post(auth_client, f"holds/{hold_id}/void")
    assert voided.status_code == 201 and voided.json()["status"] == "voided"
    assert _shown(auth_client) == ("100.00", "100.00", "0.00")
    assert_reconciled()


def test_someone_elses_hold_is_not_found(auth_client, wallet, other_user, other_wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    fund(other_wallet, 10_000)
    stranger = client_for(other_user)
    before = _money_state()
    _error(stranger.get(f"/api/v1/holds/{hold_id}"), 404, "not_found")
    _error(_capture(stranger, hold_id), 404, "not_found")
    _error(_post(stranger, f"holds/{hold_id}/void"), 404, "not_found")
    _error(stranger.get(f"/api/v1/holds/{uuid.uuid4()}"), 404, "not_found")
    assert _money_state() == before
    assert auth_client.get(f"/api/v1/holds/{hold_id}").json()["status"] == "authorized"
    assert_reconciled()


def test_the_list_shows_only_ones_own_holds_newest_first(auth_client, wallet, other_user, other_wallet):
    fund(wallet, 10_000)
    fund(other_wallet, 10_000)
    mine = [_authorize(auth_client, amount=f"{n}.00").json()["id"] for n in (1, 2, 3)]
    _authorize(client_for(other_user), amount="4.00")
    listed = auth_client.get("/api/v1/holds").json()
    assert [h["id"] for h in listed["results"]] == mine[::-1]
    assert [h["amount"] for h in listed["results"]] == ["3.00", "2.00", "1.00"]
    assert [h["amount"] for h in client_for(other_user).get("/api/v1/holds").json()["results"]] == ["4.00"]


def test_retrieve_shows_the_hold_as_it_settles(auth_client, wallet, other_wallet):
    fund(wallet, 10_000)
    created = _authorize(auth_client, to_wallet=other_wallet.public_id, metadata={"order": "A-1"}).json()
    assert auth_client.get(f"/api/v1/holds/{created['id']}").json() == created
    captured = _capture(auth_client, created["id"], amount="7.25").json()
    shown = auth_client.get(f"/api/v1/holds/{created['id']}").json()
    assert shown == captured
    assert (shown["status"], shown["captured_amount"], shown["to_wallet"]) == (
        "captured",
        "7.25",
        other_wallet.public_id,
    )
    assert shown["settled_at"] is not None and shown["capture"] is not None


def test_the_wallet_shows_balance_available_and_on_hold(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    assert _shown(auth_client) == ("100.00", "100.00", "0.00")
    first = _authorize(auth_client, amount="30.00").json()["id"]
    _authorize(auth_client, amount="20.00")
    assert _shown(auth_client) == ("100.00", "50.00", "50.00")
    _capture(auth_client, first, amount="10.00")
    assert _shown(auth_client) == ("90.00", "70.00", "20.00")
    # what is on hold cannot be spent
    response = _post(auth_client, "transactions/withdraw", {"amount": "70.01", "currency": "USD", "pin": TEST_PIN})
    _error(response, 409, "insufficient_funds")
    assert_reconciled()


def test_balance_at_counts_holds_before_during_and_after(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    before_hold = timezone.now()
    hold_id = _authorize(auth_client, amount="30.00").json()["id"]
    during = timezone.now()
    _capture(auth_client, hold_id, amount="10.00")
    after = timezone.now()

    def balance_at(at):
        body = auth_client.get("/api/v1/wallet/balance", {"at": at.isoformat()}).json()
        return body["balance"], body["available"]

    assert balance_at(before_hold) == ("100.00", "100.00")
    assert balance_at(during) == ("100.00", "70.00")
    assert balance_at(after) == ("90.00", "90.00")
    hold = Hold.objects.get(pk=hold_id)
    assert balance_at(hold.created_at) == ("100.00", "70.00")  # the instant of the authorization itself
    assert balance_at(hold.created_at - timedelta(microseconds=1)) == ("100.00", "100.00")
    assert_reconciled()


def test_refund_returns_part_of_a_payment(auth_client, wallet, other_user, other_wallet, assert_reconciled):
    fund(wallet, 10_000)
    paid = _post(
        auth_client,
        "transactions/transfer",
        {"to_wallet": other_wallet.public_id, "amount": "20.00", "currency": "USD", "pin": TEST_PIN},
    ).json()
    receiver = client_for(other_user)
    response = _post(receiver, f"transactions/{paid['id']}/refund", {"amount": "5.00", "pin": TEST_PIN})
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == "refund" and response.json()["reverses"] == paid["reference"]
    too_much = _post(receiver, f"transactions/{paid['id']}/refund", {"amount": "15.01", "pin": TEST_PIN})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "refund_exceeds_amount"
    assert Wallet.objects.get(pk=wallet.pk).balance == 8_500
    assert_reconciled()


def test_void_gives_everything_back(auth_client, wallet, assert_reconciled):
    fund(wallet, 10_000)
    hold_id = _authorize(auth_client).json()["id"]
    response = _post(auth_client, f"holds/{hold_id}/void")
    assert response.status_code == 201 and response.json()["status"] == "voided"
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.on_hold) == (10_000, 0)
    assert Hold.objects.get(pk=hold_id).status == HoldStatus.VOIDED
    release = Transaction.objects.filter(kind=TransactionKind.HOLD_RELEASE).get()
    assert (release.to_wallet_id, release.amount) == (wallet.pk, 3_000)
    assert_reconciled()


def test_the_schema_documents_each_refusal_under_the_status_it_answers_with(api_client):
    # self_transfer answers 400 (test_a_capture_to_oneself_is_refused); a client generated from the
    # schema must find it there, with the missing-key 400 every hold request can answer.
    paths = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for operation in (paths["/api/v1/holds"]["post"], paths["/api/v1/holds/{hold_id}/capture"]["post"]):
        responses = operation["responses"]
        assert "`self_transfer`" in responses["400"]["description"]
        assert "`idempotency_key_required`" in responses["400"]["description"]
        assert "`self_transfer`" not in responses["409"]["description"]
