import pytest

from accounts.client_ip import ip_hash
from accounts.roles import Role
from accounts.services import user_set_role
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType
from audit.services import audit_record
from conftest import client_for

pytestmark = pytest.mark.django_db


def _signup_and_login(api_client):
    body = {"first_name": "Eve", "last_name": "Ng", "email": "eve@example.com", "password": "s3cure-passw0rd"}
    assert (
        api_client.post("/api/v1/auth/signup", body, format="json", HTTP_X_REQUEST_ID="req-signup-1").status_code == 201
    )
    bad = api_client.post("/api/v1/auth/token", {"email": "eve@example.com", "password": "nope"}, format="json")
    assert bad.status_code == 401
    tokens = api_client.post(
        "/api/v1/auth/token", {"email": "eve@example.com", "password": "s3cure-passw0rd"}, format="json"
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 204


def test_auth_flow_is_audited_with_request_id_ip_hash_and_role(api_client):
    _signup_and_login(api_client)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.event_type for e in events] == [
        AuditEventType.USER_SIGNED_UP,
        AuditEventType.EMAIL_VERIFICATION_SENT,
        AuditEventType.LOGIN_FAILED,
        AuditEventType.LOGIN_SUCCEEDED,
        AuditEventType.LOGGED_OUT,
    ]
    signup, _code_sent, failed, *_ = events
    assert signup.request_id == "req-signup-1"
    assert all(e.ip_hash == ip_hash("127.0.0.1") for e in events)
    assert signup.actor_role == "user"
    assert failed.actor is None and failed.target_id == str(signup.actor_id)
    assert "nope" not in str(failed.new_values)


def test_audit_record_keeps_its_keyword_signature_and_takes_an_explicit_ip_hash(user):
    event = audit_record(event_type=AuditEventType.WALLET_CREATED, actor=user, target=user, new_values={"a": 1})
    assert (event.actor_role, event.ip_hash, event.new_values) == ("user", "", {"a": 1})
    given = audit_record(event_type=AuditEventType.WALLET_CREATED, actor=user, ip_hash="f" * 64)
    assert given.ip_hash == "f" * 64


def test_actor_role_is_the_role_at_the_time_of_the_event():
    user = UserFactory()
    user_set_role(user=user, role=Role.MODERATOR)
    first = audit_record(event_type=AuditEventType.WALLET_FROZEN, actor=user)
    user_set_role(user=user, role=Role.ADMIN)
    first.refresh_from_db()
    assert first.actor_role == "moderator"


def test_users_see_their_own_security_events_only(api_client, user, other_user):
    api_client.post("/api/v1/auth/token", {"email": user.email, "password": "wrong"}, format="json")
    api_client.post("/api/v1/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    api_client.post("/api/v1/auth/token", {"email": other_user.email, "password": DEFAULT_PASSWORD}, format="json")
    audit_record(event_type=AuditEventType.MONEY_POSTED, actor=user)  # not a security event
    page = client_for(user).get("/api/v1/security/events").json()
    assert page["count"] == 2
    assert [e["event_type"] for e in page["results"]] == ["auth.login_succeeded", "auth.login_failed"]
    assert set(page["results"][0]) == {"id", "event_type", "occurred_at", "request_id", "details"}
