"""Receiving a KYC document: through the shared memory-only pipeline (vaultpay.uploads), size-capped,
and recognised by its content."""

from django.conf import settings

from kyc.exceptions import KycFileTooLarge, KycFileTypeUnsupported
from vaultpay.file_types import ACCEPTED_DOCUMENT_TYPES, document_type_sniff


def sniff_content_type(content: bytes) -> str:
    """The document's real type from its first bytes; raises KycFileTypeUnsupported."""
    content_type = document_type_sniff(content)
    if content_type is None:
        raise KycFileTypeUnsupported(details={"accepted": ACCEPTED_DOCUMENT_TYPES})
    return content_type


def upload_too_large_error() -> KycFileTooLarge:
    return KycFileTooLarge(details={"max_bytes": settings.KYC_MAX_UPLOAD_BYTES})
