"""TOTP two-factor: setup, confirm with recovery codes, the two-step login, disable, replay and lockout."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.utils import timezone

from accounts.models import RecoveryCode, TwoFactorDevice
from accounts.tests.conftest import bearer, enable_two_factor, login, totp_code
from accounts.tests.factories import DEFAULT_PASSWORD
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def _mfa(client, token: str, code: str):
    return client.post("/api/v1/auth/token/mfa", {"mfa_token": token, "code": code}, format="json")


def _mfa_token(client, user) -> str:
    response = login(client, user.email, DEFAULT_PASSWORD)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "mfa_required")
    return response.json()["error"]["details"]["mfa_token"]


def test_setup_then_confirm_turns_two_factor_on_with_ten_recovery_codes(auth_client, user):
    setup = auth_client.post("/api/v1/auth/2fa/setup")
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/VaultPay:")
    assert setup.json()["qr_code"].startswith("data:image/svg+xml")
    confirmed = auth_client.post("/api/v1/auth/2fa/confirm", {"code": pyotp.TOTP(secret).now()}, format="json")
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    user.refresh_from_db()
    assert user.two_factor_enabled
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)  # only hashes are kept
    assert auth_client.get("/api/v1/users/me").json()["two_factor_enabled"] is True
    assert AuditEvent.objects.filter(event_type=AuditEventType.TWO_FACTOR_ENABLED, actor=user).exists()


def test_confirm_with_a_wrong_code_keeps_two_factor_off(auth_client, user):
    auth_client.post("/api/v1/auth/2fa/setup")
    right = totp_code(user)
    wrong = "000000" if right != "000000" else "111111"
    response = auth_client.post("/api/v1/auth/2fa/confirm", {"code": wrong}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "otp_invalid")
    user.refresh_from_db()
    assert not user.two_factor_enabled


def test_confirm_without_setup_is_409(auth_client):
    response = auth_client.post("/api/v1/auth/2fa/confirm", {"code": "123456"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "two_factor_not_set_up")


def test_setup_again_once_on_is_refused(auth_client, user):
    enable_two_factor(user)
    assert auth_client.post("/api/v1/auth/2fa/setup").json()["error"]["code"] == "two_factor_already_enabled"


def test_login_needs_the_second_factor(api_client, user):
    enable_two_factor(user)
    token = _mfa_token(api_client, user)
    pair = _mfa(api_client, token, totp_code(user, steps_ahead=1))
    assert pair.status_code == 200
    assert bearer(pair.json()["access"]).get("/api/v1/users/me").status_code == 200


def test_mfa_token_works_once(api_client, user):
    codes = enable_two_factor(user)
    token = _mfa_token(api_client, user)
    assert _mfa(api_client, token, codes[0]).status_code == 200
    again = _mfa(api_client, token, codes[1])
    assert (again.status_code, again.json()["error"]["code"]) == (401, "mfa_token_invalid")


def test_mfa_token_expires(api_client, user):
    codes = enable_two_factor(user)
    token = _mfa_token(api_client, user)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert _mfa(api_client, token, codes[0]).json()["error"]["code"] == "mfa_token_invalid"


def test_a_totp_code_is_accepted_once(api_client, user):
    enable_two_factor(user)
    code = totp_code(user, steps_ahead=1)
    assert _mfa(api_client, _mfa_token(api_client, user), code).status_code == 200
    replay = _mfa(api_client, _mfa_token(api_client, user), code)
    assert (replay.status_code, replay.json()["error"]["code"]) == (403, "otp_invalid")


def test_a_recovery_code_is_accepted_once(api_client, user):
    codes = enable_two_factor(user)
    assert _mfa(api_client, _mfa_token(api_client, user), codes[3].upper()).status_code == 200
    assert _mfa(api_client, _mfa_token(api_client, user), codes[3]).json()["error"]["code"] == "otp_invalid"
    assert AuditEvent.objects.filter(event_type=AuditEventType.RECOVERY_CODE_USED, actor=user).count() == 1


def test_wrong_codes_lock_two_factor_checks(api_client, user):
    codes = enable_two_factor(user)
    token = _mfa_token(api_client, user)
    answers = [_mfa(api_client, token, "999999x").json()["error"] for _ in range(5)]
    assert [a["code"] for a in answers] == ["otp_invalid"] * 4 + ["otp_locked"]
    assert answers[0]["details"]["attempts_left"] == 4
    locked = _mfa(api_client, token, codes[0])
    assert (locked.status_code, locked.json()["error"]["code"]) == (423, "otp_locked")
    assert TwoFactorDevice.objects.get(user=user).locked_until is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _mfa(api_client, _mfa_token(api_client, user), codes[0]).status_code == 200


def test_mfa_login_is_rate_limited_per_ip(api_client, settings, user):
    settings.RATELIMIT_ACCOUNT_CODES = "2/h"
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(2):
            assert _mfa(api_client, "nope", "123456").status_code == 401
        assert _mfa(api_client, "nope", "123456").status_code == 429


def test_disable_needs_a_code(auth_client, user):
    codes = enable_two_factor(user)
    wrong = auth_client.post("/api/v1/auth/2fa/disable", {"code": "12"}, format="json")
    assert wrong.json()["error"]["code"] == "otp_invalid"
    assert auth_client.post("/api/v1/auth/2fa/disable", {"code": codes[0]}, format="json").status_code == 204
    user.refresh_from_db()
    assert not user.two_factor_enabled
    assert (
        not TwoFactorDevice.objects.filter(user=user).exists() and not RecoveryCode.objects.filter(user=user).exists()
    )
    assert AuditEvent.objects.filter(event_type=AuditEventType.TWO_FACTOR_DISABLED, actor=user).exists()


def test_disable_when_off_is_409(auth_client):
    assert auth_client.post("/api/v1/auth/2fa/disable", {"code": "1"}, format="json").status_code == 409


def test_another_users_recovery_code_is_refused(api_client, user, other_user):
    enable_two_factor(user)
    their_codes = enable_two_factor(other_user)
    assert _mfa(api_client, _mfa_token(api_client, user), their_codes[0]).json()["error"]["code"] == "otp_invalid"


def test_code_endpoints_take_json_only(auth_client, user):
    enable_two_factor(user)
    response = auth_client.post("/api/v1/auth/2fa/disable", {"code": "123456"}, format="multipart")
    assert (response.status_code, response.json()["error"]["code"]) == (415, "unsupported_media_type")
    user.refresh_from_db()
    assert user.two_factor_enabled
