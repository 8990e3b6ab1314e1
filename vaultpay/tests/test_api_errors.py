"""Errors outside the domain still answer in the envelope: unknown routes, a database that is down."""

import pytest
from django.db import OperationalError

from conftest import new_key


@pytest.mark.django_db
def test_a_malformed_id_in_the_path_is_a_json_404(auth_client):
    response = auth_client.get("/api/v1/transactions/not-a-uuid")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_an_unreachable_database_is_a_503_the_client_may_retry(auth_client, wallet, monkeypatch):
    # given: the database drops the connection in the middle of the money service
    def lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("ledger.views.wallet_deposit", lost)
    # when
    response = auth_client.post(
        "/api/v1/transactions/deposit",
        {"amount": "1.00", "currency": "USD"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    # then
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['"AAA"', "[1, 2]", "42"])
def test_a_token_request_that_is_not_an_object_is_a_400(api_client, body):
    response = api_client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
