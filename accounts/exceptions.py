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
