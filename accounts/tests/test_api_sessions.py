"""Sessions are refresh-token families: listed, revoked one by one or all at once, and ended by token reuse."""

import uuid

import pytest

from accounts.models import AuthSession
from accounts.tests.conftest import bearer, login
from accounts.tests.factories import DEFAULT_PASSWORD
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def _refresh(client, refresh: str):
    return client.post("/api/v1/auth/token/refresh", {"refresh": refresh}, format="json")


def test_sessions_list_marks_the_current_one(api_client, user):
    phone = login(api_client, user.email, DEFAULT_PASSWORD, user_agent="VaultPay iOS").json()
    login(api_client, user.email, DEFAULT_PASSWORD, user_agent="Firefox")
    body = bearer(phone["access"]).get("/api/v1/auth/sessions").json()
    assert len(body) == 2
    current = [s for s in body if s["current"]]
    assert [s["user_agent"] for s in current] == ["VaultPay iOS"]
    assert set(body[0]) == {"id", "created_at", "last_used_at", "user_agent", "ip_hash", "current"}
    assert all(len(s["ip_hash"]) == 64 and s["ip_hash"] != "127.0.0.1" for s in body)


def test_sessions_list_shows_only_my_sessions(api_client, user, other_user):
    mine = login(api_client, user.email, DEFAULT_PASSWORD).json()
    login(api_client, other_user.email, DEFAULT_PASSWORD)
    assert len(bearer(mine["access"]).get("/api/v1/auth/sessions").json()) == 1


def test_revoking_a_session_stops_its_refresh_token(api_client, user):
    phone = login(api_client, user.email, DEFAULT_PASSWORD).json()
    laptop = login(api_client, user.email, DEFAULT_PASSWORD).json()
    client = bearer(laptop["access"])
    phone_id = next(s["id"] for s in client.get("/api/v1/auth/sessions").json() if not s["current"])
    assert client.delete(f"/api/v1/auth/sessions/{phone_id}").status_code == 204
    assert _refresh(api_client, phone["refresh"]).status_code == 401
    assert _refresh(api_client, laptop["refresh"]).status_code == 200
    assert AuditEvent.objects.filter(event_type=AuditEventType.SESSION_REVOKED, actor=user).exists()


def test_revoking_another_users_session_is_404_and_changes_nothing(api_client, user, other_user):
    theirs = login(api_client, other_user.email, DEFAULT_PASSWORD).json()
    mine = login(api_client, user.email, DEFAULT_PASSWORD).json()
    their_id = AuthSession.objects.get(user=other_user).pk
    response = bearer(mine["access"]).delete(f"/api/v1/auth/sessions/{their_id}")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert bearer(mine["access"]).delete(f"/api/v1/auth/sessions/{uuid.uuid4()}").status_code == 404
    assert _refresh(api_client, theirs["refresh"]).status_code == 200


def test_logout_all_ends_every_session_and_refuses_every_access_token(api_client, user):
    pairs = [login(api_client, user.email, DEFAULT_PASSWORD).json() for _ in range(3)]
    assert bearer(pairs[0]["access"]).post("/api/v1/auth/logout-all").status_code == 204
    for pair in pairs:
        assert _refresh(api_client, pair["refresh"]).status_code == 401
        assert bearer(pair["access"]).get("/api/v1/users/me").status_code == 401
    assert AuditEvent.objects.get(event_type=AuditEventType.SESSIONS_REVOKED_ALL).new_values == {"sessions": 3}


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api_client, user):
    # given: a token rotated twice (a thief kept the first one)
    first = login(api_client, user.email, DEFAULT_PASSWORD).json()
    second = _refresh(api_client, first["refresh"]).json()
    third = _refresh(api_client, second["refresh"]).json()
    # when: the stolen first token is presented
    reused = _refresh(api_client, first["refresh"])
    # then: refused, and the owner's newest token of that family is dead too
    assert (reused.status_code, reused.json()["error"]["code"]) == (401, "token_not_valid")
    assert _refresh(api_client, third["refresh"]).status_code == 401
    session = AuthSession.objects.get(user=user)
    assert session.revoked_reason == "refresh_reused"
    assert AuditEvent.objects.filter(event_type=AuditEventType.REFRESH_TOKEN_REUSED, target_id=str(user.pk)).exists()


def test_reuse_ends_only_that_family(api_client, user):
    stolen = login(api_client, user.email, DEFAULT_PASSWORD).json()
    other = login(api_client, user.email, DEFAULT_PASSWORD).json()
    _refresh(api_client, stolen["refresh"])
    _refresh(api_client, stolen["refresh"])
    assert _refresh(api_client, other["refresh"]).status_code == 200


def test_refresh_with_garbage_is_401(api_client):
    response = _refresh(api_client, "not-a-token")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "validation_error")  # not a JWT at all


def test_refresh_records_last_use(api_client, user):
    pair = login(api_client, user.email, DEFAULT_PASSWORD, user_agent="old agent").json()
    before = AuthSession.objects.get(user=user)
    api_client.post(
        "/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json", HTTP_USER_AGENT="new agent"
    )
    after = AuthSession.objects.get(user=user)
    assert after.last_used_at >= before.last_used_at and after.user_agent == "new agent"
    assert after.refresh_jti != before.refresh_jti
