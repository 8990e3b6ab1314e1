from rest_framework import status

from vaultpay.errors import VaultPayError


class KycFileMissing(VaultPayError):
    code = "kyc_file_missing"
    message = "Attach the document as the multipart field `file`."


class KycFileEmpty(VaultPayError):
    code = "kyc_file_empty"
    message = "The uploaded file is empty."


class KycFileTooLarge(VaultPayError):
    code = "kyc_file_too_large"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    message = "The document is larger than the upload limit."


class KycFileTypeUnsupported(VaultPayError):
    code = "kyc_file_type_unsupported"
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    message = "The document must be a PDF, JPEG or PNG file."


class KycSubmissionPending(VaultPayError):
    code = "kyc_submission_pending"
    status_code = status.HTTP_409_CONFLICT
    message = "You already have a submission waiting for review."


class KycAlreadyVerified(VaultPayError):
    code = "kyc_already_verified"
    status_code = status.HTTP_409_CONFLICT
    message = "Your identity is already verified."


class KycDocumentDuplicate(VaultPayError):
    code = "kyc_document_duplicate"
    status_code = status.HTTP_409_CONFLICT
    message = "This document is already on file for another account."


class KycSubmissionNotPending(VaultPayError):
    code = "kyc_submission_not_pending"
    status_code = status.HTTP_409_CONFLICT
    message = "Only a pending submission can be approved or rejected."


class KycRejectionReasonRequired(VaultPayError):
    code = "kyc_rejection_reason_required"
    message = "Say why the submission is rejected: the user reads the reason."


class KycDocumentUnreadable(VaultPayError):
    """The ciphertext or its wrapped key failed authentication: tampered with, truncated or missing."""

    code = "kyc_document_unreadable"
    status_code = status.HTTP_409_CONFLICT
    message = "The stored document failed its integrity check and cannot be shown."


class KycKeyUnknown(VaultPayError):
    code = "kyc_key_unknown"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "The master key this document was wrapped with is not configured."


class KycNotConfigured(VaultPayError):
    code = "kyc_not_configured"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "KYC is not configured on this server (KYC_MASTER_KEYS, KYC_FINGERPRINT_PEPPER)."


class KycOwnSubmission(VaultPayError):
    code = "kyc_own_submission"
    status_code = status.HTTP_403_FORBIDDEN
    message = "You cannot decide on your own KYC submission: another moderator must review it."
