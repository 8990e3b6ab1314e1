from rest_framework import status

from vaultpay.errors import VaultPayError


class EmailTaken(VaultPayError):
    code = "email_taken"
    status_code = status.HTTP_409_CONFLICT
    message = "An account with this email already exists."
