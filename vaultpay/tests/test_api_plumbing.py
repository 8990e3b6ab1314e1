import pytest


@pytest.mark.django_db
def test_request_id_is_echoed_when_safe_and_generated_otherwise(api_client):
    echoed = api_client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert echoed["X-Request-ID"] == "abc-123"
    forged = api_client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert forged["X-Request-ID"] != "bad id\nwith newline"
    assert len(forged["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_errors_use_the_envelope_with_the_request_id(api_client):
    response = api_client.get("/api/v1/users/me", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "details": {},
            "request_id": "req-42",
        }
    }


@pytest.mark.django_db
def test_validation_errors_list_the_fields(api_client):
    response = api_client.post("/api/v1/auth/signup", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]["fields"]) >= {"email", "password", "first_name", "last_name"}


@pytest.mark.django_db
def test_malformed_json_is_a_400(auth_client):
    response = auth_client.post("/api/v1/wallet", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


@pytest.mark.django_db
def test_wrong_method_is_405_in_the_envelope(auth_client):
    response = auth_client.put("/api/v1/transactions/deposit", {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(api_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    response = api_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"


@pytest.mark.django_db
def test_openapi_schema_and_offline_swagger_ui(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/transactions/transfer" in paths
    transfer = paths["/api/v1/transactions/transfer"]["post"]
    assert {"201", "400", "404", "409", "422"} <= set(transfer["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in transfer["parameters"])
    docs = api_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"drf_spectacular_sidecar" in docs.content  # assets served locally, no CDN


@pytest.mark.django_db
def test_admin_login_page_is_reachable(api_client):
    assert api_client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_probes_on_hosts_outside_allowed_hosts(client, settings):
    settings.ALLOWED_HOSTS = ["vaultpay.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="localhost:8000")
    assert response.status_code == 200
    assert client.get("/api/v1/users/me", HTTP_HOST="localhost:8000").status_code == 400
