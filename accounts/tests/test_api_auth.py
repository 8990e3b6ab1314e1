import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType

SIGNUP = {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "password": "analytical-engine"}


@pytest.mark.django_db
def test_signup_creates_user_with_lowercased_email_and_argon2_hash(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = api_client.post("/api/v1/auth/signup", SIGNUP, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert "password" not in body
    user = User.objects.get()
    assert user.password.startswith("argon2")
    assert AuditEvent.objects.filter(event_type=AuditEventType.USER_SIGNED_UP, actor=user).exists()


@pytest.mark.django_db
def test_signup_email_is_unique_case_insensitively(api_client):
    assert api_client.post("/api/v1/auth/signup", SIGNUP, format="json").status_code == 201
    again = api_client.post("/api/v1/auth/signup", SIGNUP | {"email": "ADA@example.COM"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "email_taken"
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "lovelace"])
def test_signup_refuses_weak_passwords(api_client, password):
    response = api_client.post("/api/v1/auth/signup", SIGNUP | {"password": password}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "password" in response.json()["error"]["details"]["fields"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_ignores_privilege_fields(api_client):
    response = api_client.post("/api/v1/auth/signup", SIGNUP | {"is_staff": True, "is_superuser": True}, format="json")
    assert response.status_code == 201
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_token_with_json_email_and_password(api_client):
    user = UserFactory(email="grace@example.com")
    response = api_client.post(
        "/api/v1/auth/token", {"email": "GRACE@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.get("/api/v1/users/me").json()["id"] == user.pk
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.django_db
def test_token_takes_json_only(api_client):
    UserFactory(email="grace@example.com")
    body = {"email": "grace@example.com", "password": DEFAULT_PASSWORD}
    response = api_client.post("/api/v1/auth/token", body, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_token_with_wrong_password_is_401(api_client):
    UserFactory(email="grace@example.com")
    response = api_client.post("/api/v1/auth/token", {"email": "grace@example.com", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_access_token_lives_fifteen_minutes_by_default(api_client, settings):
    UserFactory(email="grace@example.com")
    from rest_framework_simplejwt.tokens import AccessToken

    token = api_client.post(
        "/api/v1/auth/token", {"email": "grace@example.com", "password": DEFAULT_PASSWORD}, format="json"
    ).json()["access"]
    parsed = AccessToken(token)
    assert parsed["exp"] - parsed["iat"] == 15 * 60


@pytest.mark.django_db
def test_refresh_rotates_and_refuses_the_old_token(api_client):
    UserFactory(email="grace@example.com")
    pair = api_client.post(
        "/api/v1/auth/token", {"email": "grace@example.com", "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    rotated = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != pair["refresh"]
    reused = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"


@pytest.mark.django_db
def test_logout_ends_the_session_of_the_refresh_token(api_client):
    UserFactory(email="grace@example.com")
    pair = api_client.post(
        "/api/v1/auth/token", {"email": "grace@example.com", "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json").status_code == 204
    refused = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert refused.status_code == 401


@pytest.mark.django_db
def test_logout_refuses_someone_elses_refresh_token(api_client, auth_client):
    UserFactory(email="grace@example.com")
    pair = api_client.post(
        "/api/v1/auth/token", {"email": "grace@example.com", "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    response = auth_client.post("/api/v1/auth/logout", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 404
    assert api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json").status_code == 200


@pytest.mark.django_db
def test_me_returns_only_the_caller(auth_client, user):
    body = auth_client.get("/api/v1/users/me").json()
    assert body == {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": body["date_joined"],
        "email_verified": True,
        "two_factor_enabled": False,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/users/", "/api/v1/users/1"])
def test_no_endpoint_lists_or_reads_other_users(auth_client, path):
    assert auth_client.get(path).status_code == 404
