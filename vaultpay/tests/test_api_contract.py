"""The strict API contract: what VaultPay refuses, and how, at the HTTP boundary.

Each refusal is a 4xx in the error envelope and changes nothing; none of these requests may reach
the code as a 500.
"""

import base64
import json

import pytest
from django.test import override_settings

from ledger.models import Transaction
from ledger.tests.helpers import fund, ledger_snapshot, post_money
from vaultpay.money import WALLET_BALANCE_CAP
from wallets.models import SystemWalletPurpose, Wallet, WalletKind

DEEP = "[" * 100_000 + "]" * 100_000


def raw_post(client, path: str, body: str, **headers):
    return client.post(path, body, content_type="application/json", **headers)


def assert_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details", "request_id"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/auth/signup"])
def test_json_nested_100000_deep_is_a_400_for_anonymous_endpoints(api_client, path):
    assert_envelope(raw_post(api_client, path, DEEP), 400, "malformed_request")


def test_json_nested_100000_deep_is_a_400_on_deposit(auth_client, wallet):
    before = ledger_snapshot()
    response = raw_post(auth_client, "/api/v1/transactions/deposit", DEEP, HTTP_IDEMPOTENCY_KEY="deep-1")
    assert_envelope(response, 400, "malformed_request")
    assert ledger_snapshot() == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"amount": "1.00", "currency": "\ud800"}, "malformed_request"),
        ({"amount": "\udfff", "currency": "USD"}, "malformed_request"),
        ({"amount": "1.00", "currency": "USD", "note\ud800": 1}, "malformed_request"),
        ({"amount": "1.00", "currency": "USD\u0000"}, "currency_invalid"),
        ({"amount": "1.00\u0000", "currency": "USD"}, "amount_invalid"),
    ],
)
def test_lone_surrogates_and_nul_characters_are_refused(auth_client, wallet, body, code):
    before = ledger_snapshot()
    response = raw_post(auth_client, "/api/v1/transactions/deposit", json.dumps(body), HTTP_IDEMPOTENCY_KEY="s-1")
    assert_envelope(response, 400, code)
    assert ledger_snapshot() == before


@pytest.mark.django_db
def test_a_lone_surrogate_in_signup_is_malformed_not_stored(api_client):
    body = json.dumps({"first_name": "\ud800", "last_name": "X", "email": "s@example.com", "password": "x7-long-pass"})
    assert_envelope(raw_post(api_client, "/api/v1/auth/signup", body), 400, "malformed_request")


@pytest.mark.django_db
def test_a_10_mb_json_body_answers_413_in_the_envelope(api_client):
    body = json.dumps({"email": "a@example.com", "password": "x" * (10 * 1024 * 1024)})
    assert_envelope(raw_post(api_client, "/api/v1/auth/token", body), 413, "request_too_large")


@pytest.mark.django_db
def test_a_host_not_allowed_answers_400_in_the_envelope(api_client):
    assert_envelope(api_client.get("/api/v1/", HTTP_HOST="evil.example"), 400, "host_not_allowed")


@pytest.mark.parametrize("position", ["abc", "1.5", "١٢", "9" * 40])
def test_a_cursor_whose_position_is_not_a_row_id_is_404(auth_client, wallet, position):
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    assert_envelope(auth_client.get("/api/v1/transactions", {"cursor": cursor}), 404, "not_found")


def test_a_huge_offset_is_a_400(auth_client, wallet):
    assert_envelope(auth_client.get("/api/v1/transactions", {"offset": 10**20}), 400, "validation_error")


def _world(currency="USD") -> Wallet:
    return Wallet.objects.get(kind=WalletKind.SYSTEM, currency=currency, system_purpose=SystemWalletPurpose.WORLD)


def test_a_deposit_never_writes_a_system_wallets_balance_so_it_cannot_overflow(auth_client, wallet):
    # given @world's column at the bigint's edge (a system wallet's balance is the sum of its entries)
    fund(wallet, 100)
    Wallet.objects.filter(pk=_world().pk).update(balance=-(2**63) + 100)
    # when one more deposit comes in
    response = post_money(auth_client, "deposit", {"amount": "2.00", "currency": "USD"})
    # then it posts, and nothing wrote the column
    assert response.status_code == 201
    assert _world().balance == -(2**63) + 100


def test_a_user_wallet_cannot_hold_more_than_the_cap(auth_client, wallet):
    Wallet.objects.filter(pk=wallet.pk).update(balance=WALLET_BALANCE_CAP - 100)
    count = Transaction.objects.count()
    response = post_money(auth_client, "deposit", {"amount": "1.01", "currency": "USD"})
    assert_envelope(response, 409, "wallet_balance_cap_reached")
    assert Transaction.objects.count() == count
    wallet.refresh_from_db()
    assert wallet.balance == WALLET_BALANCE_CAP - 100


def test_authenticated_responses_are_never_stored(auth_client, wallet, api_client):
    for response in (auth_client.get("/api/v1/wallet"), auth_client.get("/api/v1/wallets/VPY-NONE00")):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
    refused = api_client.get("/api/v1/wallet", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert refused.status_code == 401
    assert "no-store" in refused["Cache-Control"]


@pytest.mark.django_db
def test_the_api_root_lists_the_resources(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["transactions"] == "http://testserver/api/v1/transactions"
    assert body["disputes"] == "http://testserver/api/v1/disputes"
    assert body["notifications"] == "http://testserver/api/v1/notifications"
    assert body["known_ips"] == "http://testserver/api/v1/security/ips"


@pytest.mark.parametrize(
    "path", ["/api/v1/transactions/deposit", "/api/v1/pin", "/api/v1/auth/logout", "/api/v1/wallet"]
)
def test_json_endpoints_refuse_form_bodies(auth_client, wallet, path):
    before = ledger_snapshot()
    response = auth_client.post(path, {"amount": "1.00", "currency": "USD", "pin": "2580"}, format="multipart")
    assert_envelope(response, 415, "unsupported_media_type")
    assert ledger_snapshot() == before


@override_settings(ROOT_URLCONF="vaultpay.urls")
def test_the_schema_advertises_json_bodies_only_except_uploads(auth_client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    media = {
        f"{method.upper()} {path}": set(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    uploads = {"POST /api/v1/kyc/submissions", "POST /api/v1/transactions/{transaction_id}/disputes"}
    assert {op for op, types in media.items() if types != {"application/json"}} == uploads
    assert media["POST /api/v1/kyc/submissions"] == {"multipart/form-data"}


def test_upload_forms_refuse_stray_fields_and_say_so_in_the_schema(auth_client, wallet):
    from drf_spectacular.generators import SchemaGenerator

    fund(wallet, 1_000)
    txn = Transaction.objects.get(to_wallet=wallet)
    path = f"/api/v1/transactions/{txn.pk}/disputes"
    stray = auth_client.post(path, {"reason": "Not mine", "error": "{}"}, format="multipart")
    assert_envelope(stray, 400, "validation_error")
    assert stray.json()["error"]["details"]["fields"] == {"error": ["Unknown field."]}
    # a JSON body may carry fields VaultPay does not know: they are ignored
    assert auth_client.post(path, {"reason": "Not mine", "note": "x"}, format="json").status_code == 201
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert components["DisputeInputRequest"]["additionalProperties"] is False
    assert components["KycSubmissionInputRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in components["DisputeJsonInputRequest"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "ab\x00cd", "é", "A" * 201])
def test_a_cursor_that_is_not_base64_is_404(auth_client, wallet, cursor):
    assert_envelope(auth_client.get("/api/v1/transactions", {"cursor": cursor}), 404, "not_found")


def test_the_schema_declares_links_from_create_to_read():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation_ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    deposit = schema["paths"]["/api/v1/transactions/deposit"]["post"]["responses"]["201"]["links"]
    assert deposit["GetTransaction"]["parameters"] == {"transaction_id": "$response.body#/id"}
    dispute = schema["paths"]["/api/v1/transactions/{transaction_id}/disputes"]["post"]["responses"]["201"]
    assert dispute["links"]["GetDispute"]["operationId"] == "disputes_retrieve"
    linked = {link["operationId"] for link in deposit.values()} | {"disputes_retrieve"}
    assert linked <= operation_ids  # every link names an operation that exists
