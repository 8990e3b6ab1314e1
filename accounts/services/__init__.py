"""Account services: writes, each one transaction (see the modules for the rules they keep)."""

from accounts.services.auth import auth_logged_out, auth_login_failed, auth_login_succeeded
from accounts.services.deactivation import user_deactivate, user_reactivate
from accounts.services.ip_trust import ip_confirm, ip_record_login, ip_revoke, ip_trust_check
from accounts.services.owner_proof import owner_proof_check
from accounts.services.pin import pin_change, pin_reset_confirm, pin_reset_request, pin_set, pin_verify
from accounts.services.roles import user_set_role
from accounts.services.signup import user_signup

__all__ = [
    "auth_logged_out",
    "auth_login_failed",
    "auth_login_succeeded",
    "ip_confirm",
    "ip_record_login",
    "ip_revoke",
    "ip_trust_check",
    "owner_proof_check",
    "pin_change",
    "pin_reset_confirm",
    "pin_reset_request",
    "pin_set",
    "pin_verify",
    "user_deactivate",
    "user_reactivate",
    "user_set_role",
    "user_signup",
]
