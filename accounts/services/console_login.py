"""What a staff member needs, beyond the password, to open the console (the Django admin).

1. The second factor: a TOTP or recovery code when ADMIN_REQUIRE_MFA is on (the default with
   DJANGO_SECURE=true) or when the staff member turned two-factor on; the same check as the API's.
2. A known address: a login from an unseen IP is held as money movement is (IP_HOLD, or until the
   emailed link confirms it), so a stolen password alone does not open the console.
"""

from django.conf import settings
from django.db import transaction

from accounts.exceptions import ConsoleTwoFactorRequired, IpNotTrusted, OtpRequired
from accounts.models import User
from accounts.services.auth import auth_login_succeeded
from accounts.services.ip_trust import ip_record_login, ip_trust_check
from accounts.services.two_factor import two_factor_verify
from audit.models import AuditEventType
from audit.services import audit_record


def console_login_allow(*, user: User, ip: str, otp: str | None) -> None:
    """Raises ConsoleTwoFactorRequired, OtpRequired, OtpInvalid, OtpLocked, IpNotTrusted; audits the outcome."""
    if user.two_factor_enabled or settings.ADMIN_REQUIRE_MFA:
        if not user.two_factor_enabled:
            raise ConsoleTwoFactorRequired()
        if not otp:
            raise OtpRequired("Enter the code from your authenticator app.")
        two_factor_verify(user=user, code=otp, allow_recovery=True)
    known = ip_record_login(user=user, ip=ip)
    try:
        ip_trust_check(user=user, ip=ip, known=known)
    except IpNotTrusted as exc:
        _console_login_held(user=user, details=exc.details)
        raise IpNotTrusted(
            "Console sign-in from a new IP address is held: confirm it with the link we emailed you, "
            "or try again after the hold.",
            details=exc.details,
        ) from exc
    auth_login_succeeded(user=user, ip=ip, channel="console")


@transaction.atomic
def _console_login_held(*, user: User, details: dict) -> None:
    audit_record(event_type=AuditEventType.ADMIN_LOGIN_HELD, actor=user, target=user, new_values=details)
