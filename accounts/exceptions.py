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
