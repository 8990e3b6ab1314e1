from rest_framework import status

from vaultpay.errors import VaultPayError


class InsufficientFunds(VaultPayError):
    code = "insufficient_funds"
    status_code = status.HTTP_409_CONFLICT
    message = "The wallet's balance is too low for this amount."


class SelfTransfer(VaultPayError):
    code = "self_transfer"
    message = "You cannot send money to your own wallet."


class IdempotencyKeyRequired(VaultPayError):
    code = "idempotency_key_required"
    message = "Send an Idempotency-Key header (1-255 printable characters) with every money request."


class IdempotencyKeyReused(VaultPayError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    message = "This Idempotency-Key was already used for a different request."


class IdempotencyRequestInProgress(VaultPayError):
    code = "idempotency_request_in_progress"
    status_code = status.HTTP_409_CONFLICT
    message = "A request with this Idempotency-Key is still being processed; retry shortly."


class TransactionNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such transaction."
