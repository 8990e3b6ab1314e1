"""Receiving a KYC document: in memory only, size-capped, and recognised by its content.

Django spools large uploads to a temporary file by default; a plaintext identity document must
never reach the disk, so the upload view replaces the handlers with `MemoryOnlyUploadHandler`.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from kyc.exceptions import KycFileTooLarge, KycFileTypeUnsupported
from vaultpay.file_types import ACCEPTED_DOCUMENT_TYPES, document_type_sniff

# Room for the multipart boundaries and the other form fields around the file.
_MULTIPART_OVERHEAD = 64 * 1024


def sniff_content_type(content: bytes) -> str:
    """The document's real type from its first bytes; raises KycFileTypeUnsupported."""
    content_type = document_type_sniff(content)
    if content_type is None:
        raise KycFileTypeUnsupported(details={"accepted": ACCEPTED_DOCUMENT_TYPES})
    return content_type


def upload_too_large_error() -> KycFileTooLarge:
    return KycFileTooLarge(details={"max_bytes": settings.KYC_MAX_UPLOAD_BYTES})


def request_body_check(content_length: str | None) -> None:
    """Refuse an oversized body from its Content-Length header before reading any of it."""
    try:
        length = int(content_length or 0)
    except ValueError:
        length = 0  # Django's parser treats a malformed length as an empty body
    if length > settings.KYC_MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD:
        raise upload_too_large_error()


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep each uploaded file in memory, and stop reading once it passes KYC_MAX_UPLOAD_BYTES."""

    too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > settings.KYC_MAX_UPLOAD_BYTES:
            self.too_large = True
            self.buffer = BytesIO()
            # Drain the rest (bounded by request_body_check) so the connection stays usable.
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
