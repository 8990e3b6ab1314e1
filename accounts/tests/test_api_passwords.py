"""Password reset by emailed code and password change: both sign out the other sessions and refuse older tokens."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import AccountCode, AuthSession
from accounts.tests.conftest import CommittingClient, bearer, emailed_code, login
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client() -> CommittingClient:
    return CommittingClient()


NEW_PASSWORD = "a-brand-new-passphrase"
RESET = "/api/v1/auth/password/reset"
CONFIRM = "/api/v1/auth/password/reset/confirm"
CHANGE = "/api/v1/auth/password/change"


def _request_reset(client, email: str):
    return client.post(RESET, {"email": email}, format="json")


def _confirm(client, email: str, code: str, password: str = NEW_PASSWORD):
    return client.post(CONFIRM, {"email": email, "code": code, "new_password": password}, format="json")


def test_reset_emails_a_code_that_sets_the_password_and_signs_out_everywhere(api_client, user):
    # given: two signed-in devices
    first = login(api_client, user.email, DEFAULT_PASSWORD).json()
    second = login(api_client, user.email, DEFAULT_PASSWORD).json()
    # when
    assert _request_reset(api_client, user.email.upper()).status_code == 202
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert _confirm(api_client, user.email, emailed_code(mail.outbox[0])).status_code == 204
    # then: the new password works, the old does not
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 401
    # every earlier access token is refused, not only the refresh tokens
    for pair in (first, second):
        assert bearer(pair["access"]).get("/api/v1/users/me").status_code == 401
        refused = api_client.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
        assert refused.status_code == 401
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PASSWORD_RESET_REQUESTED, target_id=str(user.pk)
    ).exists()
    assert AuditEvent.objects.get(event_type=AuditEventType.PASSWORD_RESET).new_values == {"sessions_revoked": 2}


def test_reset_answers_the_same_for_an_unknown_address(api_client, user):
    unknown = _request_reset(api_client, "nobody@example.com")
    known = _request_reset(api_client, user.email)
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content) == (202, b"")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert _confirm(api_client, "nobody@example.com", "123456").json()["error"]["code"] == "code_invalid"


def test_the_code_is_in_neither_the_database_nor_the_task_arguments(api_client, user):
    with mock.patch("accounts.tasks.send_account_code_email.delay") as delay:
        _request_reset(api_client, user.email)
    code = AccountCode.objects.get(user=user)
    delay.assert_called_once_with(code.pk)
    from accounts.tasks import send_account_code_email

    send_account_code_email(code.pk)
    sent = emailed_code(mail.outbox[0])
    stored = AccountCode.objects.filter(pk=code.pk).values().get()
    assert sent not in str(stored)


def test_wrong_code_is_refused_and_changes_nothing(api_client, user):
    _request_reset(api_client, user.email)
    right = emailed_code(mail.outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    response = _confirm(api_client, user.email, wrong)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "code_invalid")
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200
    assert AccountCode.objects.get(user=user).failed_attempts == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.ACCOUNT_CODE_FAILED).count() == 1


def test_five_wrong_codes_retire_the_code(api_client, user):
    _request_reset(api_client, user.email)
    right = emailed_code(mail.outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert _confirm(api_client, user.email, wrong).status_code == 400
    assert _confirm(api_client, user.email, right).json()["error"]["code"] == "code_invalid"


def test_expired_code_is_refused(api_client, user):
    _request_reset(api_client, user.email)
    code = emailed_code(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert _confirm(api_client, user.email, code).json()["error"]["code"] == "code_invalid"
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_a_code_works_once(api_client, user):
    _request_reset(api_client, user.email)
    code = emailed_code(mail.outbox[0])
    assert _confirm(api_client, user.email, code).status_code == 204
    again = _confirm(api_client, user.email, code, password="yet-another-passphrase")
    assert again.json()["error"]["code"] == "code_invalid"
    assert login(api_client, user.email, NEW_PASSWORD).status_code == 200


def test_a_new_code_retires_the_older_one(api_client, user):
    _request_reset(api_client, user.email)
    _request_reset(api_client, user.email)
    older, newer = (emailed_code(m) for m in mail.outbox)
    if older != newer:
        assert _confirm(api_client, user.email, older).status_code == 400
    assert _confirm(api_client, user.email, newer).status_code == 204


def test_another_users_code_does_not_reset_my_password(api_client, user, other_user):
    _request_reset(api_client, other_user.email)
    code = emailed_code(mail.outbox[0])
    assert _confirm(api_client, user.email, code).status_code == 400
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_weak_new_password_is_refused_before_the_code_is_used(api_client, user):
    _request_reset(api_client, user.email)
    code = emailed_code(mail.outbox[0])
    assert _confirm(api_client, user.email, code, password="12345678").json()["error"]["code"] == "validation_error"
    assert _confirm(api_client, user.email, code).status_code == 204


def test_reset_is_rate_limited_per_address(api_client, settings, user):
    settings.RATELIMIT_ACCOUNT_CODES = "2/h"
    with time_machine.travel(timezone.now(), tick=False):
        assert _request_reset(api_client, user.email).status_code == 202
        assert _request_reset(api_client, user.email).status_code == 202
        limited = _request_reset(api_client, user.email)
    assert (limited.status_code, limited.json()["error"]["code"]) == (429, "rate_limited")
    assert len(mail.outbox) == 2


def test_change_keeps_this_session_and_signs_out_the_others(api_client, user):
    this = login(api_client, user.email, DEFAULT_PASSWORD).json()
    other = login(api_client, user.email, DEFAULT_PASSWORD).json()
    response = bearer(this["access"]).post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 204
    # access tokens issued before are refused, this request's too
    assert bearer(this["access"]).get("/api/v1/users/me").status_code == 401
    assert bearer(other["access"]).get("/api/v1/users/me").status_code == 401
    # the other session is over; this one refreshes into a token that works
    assert (
        api_client.post("/api/v1/auth/token/refresh", {"refresh": other["refresh"]}, format="json").status_code == 401
    )
    renewed = api_client.post("/api/v1/auth/token/refresh", {"refresh": this["refresh"]}, format="json")
    assert renewed.status_code == 200
    assert bearer(renewed.json()["access"]).get("/api/v1/users/me").status_code == 200
    assert AuthSession.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.PASSWORD_CHANGED, actor=user).exists()


def test_change_with_the_wrong_old_password_is_refused(auth_client, api_client, user):
    response = auth_client.post(CHANGE, {"old_password": "not-it", "new_password": NEW_PASSWORD}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "password_invalid")
    assert login(api_client, user.email, DEFAULT_PASSWORD).status_code == 200


def test_change_is_rate_limited(settings, auth_client):
    settings.RATELIMIT_ACCOUNT_CODES = "2/h"
    body = {"old_password": "not-it", "new_password": NEW_PASSWORD}
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(2):
            assert auth_client.post(CHANGE, body, format="json").status_code == 403
        assert auth_client.post(CHANGE, body, format="json").status_code == 429


def test_a_token_from_before_the_change_is_refused_without_an_extra_query(api_client, user, django_assert_num_queries):
    pair = login(api_client, user.email, DEFAULT_PASSWORD).json()
    client = bearer(pair["access"])
    # One query for the user row, as before the version check existed (the view reads nothing else).
    with django_assert_num_queries(1):
        assert client.get("/api/v1/users/me").status_code == 200
    UserFactory._meta.model.objects.filter(pk=user.pk).update(auth_version=user.auth_version + 1)
    with django_assert_num_queries(1):
        assert client.get("/api/v1/users/me").status_code == 401


def test_reset_does_the_lookup_off_the_request(api_client, user):
    # The request only enqueues the lookup, so it takes the same time whether the address has an account.
    with mock.patch("accounts.tasks.start_password_reset.delay") as delay:
        assert _request_reset(api_client, user.email.upper()).status_code == 202
        assert _request_reset(api_client, "nobody@example.com").status_code == 202
    assert [c.args for c in delay.call_args_list] == [
        (user.email, mock.ANY),
        ("nobody@example.com", mock.ANY),
    ]
    assert not AccountCode.objects.exists()


def test_reset_with_the_broker_down_is_503(api_client, user):
    with mock.patch("accounts.tasks.start_password_reset.delay", side_effect=OSError("connection refused")):
        response = _request_reset(api_client, user.email)
    assert (response.status_code, response.json()["error"]["code"]) == (503, "service_unavailable")
