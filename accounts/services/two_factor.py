"""Two-factor authentication: TOTP (RFC 6238, pyotp) with single-use recovery codes.

One mechanism for everyone: the API login, step-up before payments and the console login of staff
all check codes here. The device row is locked while a code is checked, so wrong codes are counted
one by one (OTP_MAX_ATTEMPTS locks checks for OTP_LOCKOUT, like the PIN) and a code is accepted
at most once: `last_used_step` only moves forward.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import (
    OtpInvalid,
    OtpLocked,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorNotSetUp,
)
from accounts.models import RecoveryCode, TwoFactorDevice, User
from audit.models import AuditEventType
from audit.services import audit_record
from vaultpay.errors import VaultPayError

OTP_MAX_ATTEMPTS = 5
OTP_LOCKOUT = timedelta(minutes=15)
# Codes of the previous and the next 30-second step are accepted too: phone clocks drift.
OTP_VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
ISSUER = "VaultPay"


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str
    otpauth_uri: str
    qr_code: str  # the URI as a QR code, an SVG data: URI an app can show as an image


def _normalise(code: str) -> str:
    return "".join(ch for ch in str(code or "") if ch.isalnum()).lower()


def _recovery_hash(code: str) -> str:
    # A plain SHA-256 suffices: a recovery code carries 50 random bits and is rate-limited and locked out.
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


@transaction.atomic
def two_factor_setup(*, user: User) -> TwoFactorSetup:
    """Start (or restart) setting up TOTP: a fresh secret, inactive until confirmed. Raises TwoFactorAlreadyEnabled."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise TwoFactorAlreadyEnabled()
    secret = pyotp.random_base32()
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "last_used_step": None, "failed_attempts": 0, "locked_until": None}
    )
    audit_record(event_type=AuditEventType.TWO_FACTOR_SETUP_STARTED, actor=user, target=user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr_code = segno.make(uri, micro=False).svg_data_uri(scale=4)
    return TwoFactorSetup(secret=secret, otpauth_uri=uri, qr_code=qr_code)


def two_factor_confirm(*, user: User, code: str) -> list[str]:
    """Switch two-factor on with a first code; returns the recovery codes, shown this once.

    Raises TwoFactorNotSetUp, TwoFactorAlreadyEnabled, OtpInvalid, OtpLocked.
    """
    two_factor_verify(user=user, code=code, allow_recovery=False, confirming=True)
    return _two_factor_enable(user=user)


@transaction.atomic
def _two_factor_enable(*, user: User) -> list[str]:
    device = TwoFactorDevice.objects.select_for_update().get(user=user)
    if device.confirmed_at is not None:
        raise TwoFactorAlreadyEnabled()
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes)
    user.two_factor_enabled = True
    user.save(update_fields=["two_factor_enabled"])
    audit_record(event_type=AuditEventType.TWO_FACTOR_ENABLED, actor=user, target=user)
    return codes


def two_factor_disable(*, user: User, code: str) -> None:
    """Switch two-factor off with a current code or a recovery code.

    Raises TwoFactorNotEnabled, OtpInvalid, OtpLocked.
    """
    if not user.two_factor_enabled:
        raise TwoFactorNotEnabled()
    two_factor_verify(user=user, code=code, allow_recovery=True)
    _two_factor_remove(user=user)


@transaction.atomic
def _two_factor_remove(*, user: User) -> None:
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    user.two_factor_enabled = False
    user.save(update_fields=["two_factor_enabled"])
    audit_record(event_type=AuditEventType.TWO_FACTOR_DISABLED, actor=user, target=user)


def two_factor_verify(*, user: User, code: str, allow_recovery: bool, confirming: bool = False) -> None:
    """Accept one TOTP code (or, if allowed, one unused recovery code). Raises OtpInvalid, OtpLocked, TwoFactorNotSetUp.

    Not atomic on purpose: a wrong code is committed as a wrong try before the error propagates.
    """
    error = _two_factor_attempt(user=user, code=code, allow_recovery=allow_recovery, confirming=confirming)
    if error is not None:
        raise error


@transaction.atomic
def _two_factor_attempt(*, user: User, code: str, allow_recovery: bool, confirming: bool) -> VaultPayError | None:
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None or (device.confirmed_at is None) != confirming:
        return TwoFactorAlreadyEnabled() if confirming and device is not None else TwoFactorNotSetUp()
    now = timezone.now()
    if device.locked_until is not None and device.locked_until > now:
        return OtpLocked(details={"locked_until": device.locked_until.isoformat()})
    step = _matching_step(device, _normalise(code), now)
    if step is not None:
        device.last_used_step = step
        return _attempt_succeeded(device)
    if allow_recovery and _recovery_code_use(user=user, code=code):
        error = _attempt_succeeded(device)
        audit_record(event_type=AuditEventType.RECOVERY_CODE_USED, actor=user, target=user)
        return error
    return _attempt_failed(device, user=user, now=now)


def _matching_step(device: TwoFactorDevice, code: str, now) -> int | None:
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(device.secret)
    current = totp.timecode(now)
    for step in range(current - OTP_VALID_WINDOW, current + OTP_VALID_WINDOW + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue  # that code, or an older one, was accepted already
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_code_use(*, user: User, code: str) -> bool:
    used = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return used == 1


def _attempt_succeeded(device: TwoFactorDevice) -> None:
    device.failed_attempts = 0
    device.locked_until = None
    device.save(update_fields=["last_used_step", "failed_attempts", "locked_until"])
    return None


def _attempt_failed(device: TwoFactorDevice, *, user: User, now) -> VaultPayError:
    device.failed_attempts += 1
    attempts_left = OTP_MAX_ATTEMPTS - device.failed_attempts
    if attempts_left <= 0:
        device.failed_attempts = 0
        device.locked_until = now + OTP_LOCKOUT
    device.save(update_fields=["failed_attempts", "locked_until"])
    if device.locked_until is not None:
        details = {"locked_until": device.locked_until.isoformat()}
        audit_record(event_type=AuditEventType.TWO_FACTOR_LOCKED, actor=user, target=user, new_values=details)
        return OtpLocked(details=details)
    audit_record(
        event_type=AuditEventType.TWO_FACTOR_FAILED,
        actor=user,
        target=user,
        new_values={"attempts_left": attempts_left},
    )
    return OtpInvalid(details={"attempts_left": attempts_left})
