from rest_framework import status

from vaultpay.errors import VaultPayError


class EmailTaken(VaultPayError):
    code = "email_taken"
    status_code = status.HTTP_409_CONFLICT
    message = "An account with this email already exists."


class NotificationNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such notification."


class EmailProviderError(Exception):
    """The email provider refused or failed a send; the task retries with backoff."""


class PinFormatInvalid(VaultPayError):
    code = "pin_format_invalid"
    message = "A PIN is 4 to 6 digits."


class PinTooWeak(VaultPayError):
    code = "pin_too_weak"
    message = "This PIN is too easy to guess (repeated digits, a straight run or a very common PIN)."


class PinAlreadySet(VaultPayError):
    code = "pin_already_set"
    status_code = status.HTTP_409_CONFLICT
    message = "You already have a PIN: change it with POST /api/v1/pin/change."


class PinNotSet(VaultPayError):
    code = "pin_not_set"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Set a transaction PIN first with POST /api/v1/pin."


class PinRequired(VaultPayError):
    code = "pin_required"
    message = "Send your transaction PIN as `pin`."


class PinInvalid(VaultPayError):
    code = "pin_invalid"
    status_code = status.HTTP_403_FORBIDDEN
    message = "The PIN is wrong."


class PinLocked(VaultPayError):
    code = "pin_locked"
    status_code = status.HTTP_423_LOCKED
    message = "Too many wrong PINs: money movement is locked. Wait for the unlock time or reset your PIN."


class PinResetTokenInvalid(VaultPayError):
    code = "pin_reset_token_invalid"
    message = "The PIN reset token is wrong, used or expired."


class IpNotTrusted(VaultPayError):
    code = "ip_not_trusted"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Money cannot move from this IP address yet: confirm it with the link we emailed you."


class IpConfirmTokenInvalid(VaultPayError):
    code = "ip_confirm_token_invalid"
    message = "The confirmation link is wrong, used or expired."


class KnownIpNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such IP address on your account."


class RoleChangeForbidden(VaultPayError):
    code = "role_change_forbidden"
    status_code = status.HTTP_403_FORBIDDEN
    message = "You may not give or take away this role."


class RateLimited(VaultPayError):
    code = "rate_limited"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    message = "Too many requests; retry later."


class UserDeactivationForbidden(VaultPayError):
    code = "user_deactivation_forbidden"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Only admins can deactivate or reactivate users, and never themselves."


class AccountCodeInvalid(VaultPayError):
    code = "code_invalid"
    message = "The code is wrong, used or expired: ask for a new one."


class EmailNotVerified(VaultPayError):
    code = "email_not_verified"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Verify your email address first (POST /api/v1/auth/email/verify with the emailed code)."


class EmailAlreadyVerified(VaultPayError):
    code = "email_already_verified"
    status_code = status.HTTP_409_CONFLICT
    message = "Your email address is already verified."


class PasswordInvalid(VaultPayError):
    code = "password_invalid"
    status_code = status.HTTP_403_FORBIDDEN
    message = "The current password is wrong."


class SessionNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such session on your account."


class RefreshTokenInvalid(VaultPayError):
    code = "token_not_valid"
    status_code = status.HTTP_401_UNAUTHORIZED
    message = "The refresh token is not valid: sign in again."


class MfaRequired(VaultPayError):
    code = "mfa_required"
    status_code = status.HTTP_401_UNAUTHORIZED
    message = "Two-factor authentication is on: send `details.mfa_token` and a code to POST /api/v1/auth/token/mfa."


class MfaTokenInvalid(VaultPayError):
    code = "mfa_token_invalid"
    status_code = status.HTTP_401_UNAUTHORIZED
    message = "The MFA token is wrong, used or expired: sign in with your password again."


class TwoFactorAlreadyEnabled(VaultPayError):
    code = "two_factor_already_enabled"
    status_code = status.HTTP_409_CONFLICT
    message = "Two-factor authentication is already on: disable it first to set up a new secret."


class TwoFactorNotSetUp(VaultPayError):
    code = "two_factor_not_set_up"
    status_code = status.HTTP_409_CONFLICT
    message = "Start with POST /api/v1/auth/2fa/setup."


class TwoFactorNotEnabled(VaultPayError):
    code = "two_factor_not_enabled"
    status_code = status.HTTP_409_CONFLICT
    message = "Two-factor authentication is not on."


class OtpRequired(VaultPayError):
    code = "otp_required"
    status_code = status.HTTP_403_FORBIDDEN
    message = "This payment needs a one-time code from your authenticator app in `otp`."


class OtpInvalid(VaultPayError):
    code = "otp_invalid"
    status_code = status.HTTP_403_FORBIDDEN
    message = "The one-time code is wrong or was already used."


class OtpLocked(VaultPayError):
    code = "otp_locked"
    status_code = status.HTTP_423_LOCKED
    message = "Too many wrong one-time codes: two-factor checks are locked for a while."


class LoginFailed(VaultPayError):
    code = "authentication_failed"
    status_code = status.HTTP_401_UNAUTHORIZED
    message = "No active account found with the given credentials."


class ConsoleTwoFactorRequired(VaultPayError):
    code = "two_factor_required"
    status_code = status.HTTP_403_FORBIDDEN
    message = (
        "The console requires two-factor authentication: turn it on with POST /api/v1/auth/2fa/setup and "
        "/auth/2fa/confirm, then sign in with a code."
    )
