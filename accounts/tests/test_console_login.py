"""The console login (/admin/login/): throttled, audited, held from an unseen IP, TOTP for staff when required."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import KnownIp, KnownIpStatus
from accounts.tests.conftest import enable_two_factor, totp_code
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from audit.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
NEW_IP = "198.51.100.20"


@pytest.fixture(autouse=True)
def _one_window():
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def staff(settings):
    settings.ADMIN_REQUIRE_MFA = False
    return UserFactory(is_staff=True, is_superuser=True)


def _login(user, password: str = DEFAULT_PASSWORD, *, ip: str = "127.0.0.1", otp: str = ""):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": user.email, "password": password, "otp": otp, "next": "/admin/"})
    return client, response


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_staff_signs_in_from_a_known_ip_and_it_is_audited(staff):
    client, response = _login(staff)
    assert response.status_code == 302 and _signed_in(client)
    event = AuditEvent.objects.get(event_type=AuditEventType.LOGIN_SUCCEEDED, actor=staff)
    assert event.new_values["channel"] == "console"


def test_wrong_passwords_are_audited_and_throttled_per_account_and_ip(staff, settings):
    settings.RATELIMIT_LOGIN_ACCOUNT_IP = "3/h"
    for _ in range(3):
        _client, response = _login(staff, "wrong", ip=NEW_IP)
        assert response.status_code == 200  # the form again, with its error
    failed = AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED, target_id=str(staff.pk))
    assert failed.count() == 3 and failed.first().new_values == {"channel": "console"}
    client, throttled = _login(staff, DEFAULT_PASSWORD, ip=NEW_IP)
    assert throttled.status_code == 429 and not _signed_in(client)
    client, owner = _login(staff)  # the owner's own address is not affected
    assert owner.status_code == 302


def test_a_login_from_an_unseen_ip_is_held_until_confirmed(staff):
    client, response = _login(staff, ip=NEW_IP)
    assert response.status_code == 200 and not _signed_in(client)
    assert "held" in response.content.decode()
    assert AuditEvent.objects.filter(event_type=AuditEventType.ADMIN_LOGIN_HELD, actor=staff).exists()
    assert KnownIp.objects.filter(user=staff, status=KnownIpStatus.PENDING).count() == 1  # and its link emailed
    # the emailed link trusts the address: then the login goes through
    KnownIp.objects.filter(user=staff, status=KnownIpStatus.PENDING).update(status=KnownIpStatus.TRUSTED)
    client, response = _login(staff, ip=NEW_IP)
    assert response.status_code == 302


def test_non_staff_cannot_sign_in(settings):
    settings.ADMIN_REQUIRE_MFA = False
    user = UserFactory()
    client, response = _login(user)
    assert response.status_code == 200 and not _signed_in(client)
    assert AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED, target_id=str(user.pk)).exists()


def test_required_mfa_refuses_staff_without_two_factor(staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    client, response = _login(staff)
    assert response.status_code == 200 and not _signed_in(client)
    assert "two-factor" in response.content.decode()


def test_required_mfa_needs_a_right_code(staff, settings):
    settings.ADMIN_REQUIRE_MFA = True
    enable_two_factor(staff)
    client, _ = _login(staff)
    assert not _signed_in(client)
    client, _ = _login(staff, otp="000000x")
    assert not _signed_in(client)
    client, response = _login(staff, otp=totp_code(staff, steps_ahead=1))
    assert response.status_code == 302 and _signed_in(client)


def test_staff_with_two_factor_on_need_a_code_even_when_not_required(staff):
    enable_two_factor(staff)
    client, _ = _login(staff)
    assert not _signed_in(client)


def test_admin_require_mfa_defaults_to_on_with_django_secure():
    import subprocess
    import sys

    code = "import django, os; django.setup(); from django.conf import settings; print(settings.ADMIN_REQUIRE_MFA)"
    env = {
        **__import__("os").environ,
        "DJANGO_SETTINGS_MODULE": "vaultpay.settings",
        "DJANGO_SECURE": "true",
        "DJANGO_SECRET_KEY": "x" * 60,
        "PIN_PEPPER": "p" * 40,
        "IP_HASH_KEY": "k" * 40,
        "AUDIT_CHAIN_KEY": "a" * 40,
        "KYC_MASTER_KEYS": "test:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
        "KYC_FINGERPRINT_PEPPER": "f" * 40,
    }
    env.pop("ADMIN_REQUIRE_MFA", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603 - a fixed command
    assert out.stdout.strip().splitlines()[-1:] == ["True"], out.stderr[-2000:]
