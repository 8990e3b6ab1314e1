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


class DisputeNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such dispute."


class DisputeExists(VaultPayError):
    code = "dispute_exists"
    status_code = status.HTTP_409_CONFLICT
    message = "This transaction already has a dispute waiting for a decision."


class DisputeWindowClosed(VaultPayError):
    code = "dispute_window_closed"
    status_code = status.HTTP_409_CONFLICT
    message = "This transaction is too old to dispute."


class DisputeNotAllowed(VaultPayError):
    code = "dispute_not_allowed"
    status_code = status.HTTP_409_CONFLICT
    message = "This transaction cannot be disputed (it is a reversal or already fully reversed)."


class DisputeAmountInvalid(VaultPayError):
    code = "dispute_amount_invalid"
    message = "The amount must be positive and at most what is left to reverse of the transaction."


class DisputeTransitionInvalid(VaultPayError):
    code = "dispute_transition_invalid"
    status_code = status.HTTP_409_CONFLICT
    message = "The dispute is not in a status that allows this step."


class DisputePermissionDenied(VaultPayError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN
    message = "Your role does not allow this step on disputes."


class ReversalExceedsAmount(VaultPayError):
    code = "reversal_exceeds_amount"
    status_code = status.HTTP_409_CONFLICT
    message = "Reversals of a transaction can never total more than its amount."


class ReversalNotAllowed(VaultPayError):
    code = "reversal_not_allowed"
    status_code = status.HTTP_409_CONFLICT
    message = "A reversal, a refund or a hold's own bookkeeping cannot be reversed."


class ReversalInsufficientFunds(VaultPayError):
    code = "reversal_insufficient_funds"
    status_code = status.HTTP_409_CONFLICT
    message = "The receiver's balance cannot cover the reversal; cover the shortfall from @suspense or reverse less."


class EvidenceTypeUnsupported(VaultPayError):
    code = "evidence_type_unsupported"
    message = "Evidence must be a PDF, JPEG or PNG file."


class EvidenceTooLarge(VaultPayError):
    code = "evidence_too_large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    message = "The evidence file is too large."


class DisputeOwnCase(VaultPayError):
    code = "dispute_own_case"
    status_code = status.HTTP_403_FORBIDDEN
    message = "You cannot decide on a dispute you are party to or opened: another moderator must handle it."


class ReversalApprovalPending(VaultPayError):
    code = "reversal_approval_pending"
    status_code = status.HTTP_409_CONFLICT
    message = (
        "A reversal is already proposed on this dispute: a second moderator must approve it (or reject the dispute)."
    )


class ReversalNotProposed(VaultPayError):
    code = "reversal_not_proposed"
    status_code = status.HTTP_409_CONFLICT
    message = "No reversal is waiting for approval on this dispute."


class ReversalSelfApproval(VaultPayError):
    code = "reversal_self_approval"
    status_code = status.HTTP_403_FORBIDDEN
    message = "You proposed this reversal: a second moderator must approve it."


class NewRecipientDailyLimit(VaultPayError):
    code = "new_recipient_daily_limit"
    status_code = status.HTTP_403_FORBIDDEN
    message = "You have sent this new recipient as many payments as allowed today; try again tomorrow."


class BalanceInstantInFuture(VaultPayError):
    code = "balance_at_in_future"
    message = "`at` is in the future: a balance is only known up to now."


class StatementRangeInvalid(VaultPayError):
    code = "statement_range_invalid"
    message = "The statement period is not valid."


class HoldNotFound(VaultPayError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    message = "No such hold."


class HoldNotAuthorized(VaultPayError):
    code = "hold_not_authorized"
    status_code = status.HTTP_409_CONFLICT
    message = "The hold is already settled (captured, voided or expired)."


class HoldExpired(VaultPayError):
    code = "hold_expired"
    status_code = status.HTTP_409_CONFLICT
    message = "The hold has expired; its money is being released to your wallet."


class HoldCaptureExceedsAmount(VaultPayError):
    code = "hold_capture_exceeds_amount"
    message = "A capture is at most the hold's amount."


class RefundNotAllowed(VaultPayError):
    code = "refund_not_allowed"
    status_code = status.HTTP_409_CONFLICT
    message = "Only a payment you received from another user can be refunded."


class RefundExceedsAmount(VaultPayError):
    code = "refund_exceeds_amount"
    status_code = status.HTTP_409_CONFLICT
    message = "Refunds and reversals of a payment never total more than it; see details.remaining."
