"""Email verification at signup, resend, and a new address that becomes the login only once verified."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.tests.conftest import CommittingClient, committing_client_for, emailed_code
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client() -> CommittingClient:
    return CommittingClient()


VERIFY = "/api/v1/auth/email/verify"
RESEND = "/api/v1/auth/email/verify/resend"
SIGNUP = {"first_name": "Carol", "last_name": "Chen", "email": "carol@example.com", "password": "s3cure-passw0rd"}


@pytest.fixture
def carol(api_client) -> User:
    assert api_client.post("/api/v1/auth/signup", SIGNUP, format="json").status_code == 201
    return User.objects.get(email="carol@example.com")


def _other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_signup_emails_a_code_that_verifies_the_address(carol):
    assert carol.email_verified_at is None
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]
    client = committing_client_for(carol)
    assert client.get("/api/v1/users/me").json()["email_verified"] is False
    assert client.post(VERIFY, {"code": emailed_code(mail.outbox[0])}, format="json").status_code == 204
    assert client.get("/api/v1/users/me").json()["email_verified"] is True
    assert AuditEvent.objects.filter(event_type=AuditEventType.EMAIL_VERIFIED, actor=carol).exists()


def test_wrong_code_is_refused(carol):
    code = emailed_code(mail.outbox[0])
    response = committing_client_for(carol).post(VERIFY, {"code": _other_code(code)}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "code_invalid")
    carol.refresh_from_db()
    assert carol.email_verified_at is None


def test_expired_code_is_refused(carol):
    code = emailed_code(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert committing_client_for(carol).post(VERIFY, {"code": code}, format="json").status_code == 400


def test_used_code_is_refused(carol):
    client = committing_client_for(carol)
    code = emailed_code(mail.outbox[0])
    assert client.post(VERIFY, {"code": code}, format="json").status_code == 204
    assert client.post(VERIFY, {"code": code}, format="json").json()["error"]["code"] == "code_invalid"


def test_another_users_code_does_not_verify_me(carol, user):
    user.email_verified_at = None
    user.save(update_fields=["email_verified_at"])
    code = emailed_code(mail.outbox[0])  # carol's
    assert committing_client_for(user).post(VERIFY, {"code": code}, format="json").status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_resend_sends_a_new_code_and_retires_the_old(carol):
    client = committing_client_for(carol)
    assert client.post(RESEND).status_code == 202
    old, new = (emailed_code(m) for m in mail.outbox)
    if old != new:
        assert client.post(VERIFY, {"code": old}, format="json").status_code == 400
    assert client.post(VERIFY, {"code": new}, format="json").status_code == 204
    again = client.post(RESEND)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "email_already_verified")


def test_verify_and_resend_are_rate_limited(carol, settings):
    settings.RATELIMIT_ACCOUNT_CODES = "2/h"
    client = committing_client_for(carol)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(2):
            client.post(VERIFY, {"code": "000000"}, format="json")
        assert client.post(VERIFY, {"code": "000000"}, format="json").status_code == 429
        for _ in range(2):
            client.post(RESEND)
        assert client.post(RESEND).status_code == 429


@pytest.fixture
def auth_client(user) -> CommittingClient:
    return committing_client_for(user)


def test_profile_names_change_at_once(auth_client, user):
    response = auth_client.patch("/api/v1/users/me", {"first_name": "Ada", "last_name": "King"}, format="json")
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Ada", "King")
    event = AuditEvent.objects.get(event_type=AuditEventType.PROFILE_UPDATED)
    assert event.new_values == {"first_name": "Ada", "last_name": "King"}


def test_profile_ignores_privilege_fields(auth_client, user):
    auth_client.patch("/api/v1/users/me", {"is_staff": True, "role": "admin", "email_verified": True}, format="json")
    user.refresh_from_db()
    assert not user.is_staff and user.role == "user"


def test_a_new_address_becomes_the_login_only_once_verified(auth_client, user):
    old_email = user.email
    response = auth_client.patch("/api/v1/users/me", {"email": "New@Example.com"}, format="json")
    assert response.status_code == 200 and response.json()["email"] == old_email
    assert mail.outbox[-1].to == ["new@example.com"]
    user.refresh_from_db()
    assert user.email == old_email
    assert auth_client.post(VERIFY, {"code": emailed_code(mail.outbox[-1])}, format="json").status_code == 204
    user.refresh_from_db()
    assert user.email == "new@example.com"


def test_a_new_address_already_taken_is_409(auth_client, user, other_user):
    response = auth_client.patch("/api/v1/users/me", {"email": other_user.email}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "email_taken")


def test_demo_and_factory_users_are_verified():
    assert UserFactory().email_verified_at is not None


def test_profile_refuses_numbers_for_names(auth_client, user):
    response = auth_client.patch("/api/v1/users/me", {"last_name": 0}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "validation_error")
    user.refresh_from_db()
    assert user.last_name != "0"
