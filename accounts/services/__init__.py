"""Account services: writes, each one transaction (see the modules for the rules they keep)."""

from accounts.services.auth import (
    auth_login_failed,
    auth_login_succeeded,
    auth_mfa_login,
    auth_password_login,
)
from accounts.services.deactivation import user_deactivate, user_reactivate
from accounts.services.email_verification import email_verification_resend, email_verify, user_profile_update
from accounts.services.ip_trust import ip_confirm, ip_record_login, ip_revoke, ip_trust_check
from accounts.services.owner_proof import owner_proof_check
from accounts.services.passwords import password_change, password_reset_confirm, password_reset_request
from accounts.services.pin import pin_change, pin_reset_confirm, pin_reset_request, pin_set, pin_verify
from accounts.services.roles import user_set_role
from accounts.services.sessions import (
    session_revoke,
    session_revoke_by_refresh,
    session_rotate,
    session_start,
    sessions_active,
    sessions_logout_all,
)
from accounts.services.signup import user_signup
from accounts.services.step_up import money_sender_check
from accounts.services.two_factor import two_factor_confirm, two_factor_disable, two_factor_setup

__all__ = [
    "auth_login_failed",
    "auth_login_succeeded",
    "auth_mfa_login",
    "auth_password_login",
    "email_verification_resend",
    "email_verify",
    "ip_confirm",
    "ip_record_login",
    "ip_revoke",
    "ip_trust_check",
    "money_sender_check",
    "owner_proof_check",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "pin_change",
    "pin_reset_confirm",
    "pin_reset_request",
    "pin_set",
    "pin_verify",
    "session_revoke",
    "session_revoke_by_refresh",
    "session_rotate",
    "session_start",
    "sessions_active",
    "sessions_logout_all",
    "two_factor_confirm",
    "two_factor_disable",
    "two_factor_setup",
    "user_deactivate",
    "user_profile_update",
    "user_reactivate",
    "user_set_role",
    "user_signup",
]
