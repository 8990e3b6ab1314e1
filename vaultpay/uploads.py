"""The one way VaultPay receives request bodies: capped before they are read, uploads in memory only.

Django spools uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file by default. A plaintext
identity document or dispute evidence must never reach the disk, and neither may anything an
anonymous client sends, so FILE_UPLOAD_HANDLERS is `MemoryOnlyUploadHandler` alone, and
`RequestBodyLimitMiddleware` answers 413 from the Content-Length header before any byte is read.

A view that takes a file sets `upload_limit_setting` (the name of the setting with its file size cap)
and `upload_too_large` (a callable returning its own VaultPayError, so the 413 speaks its language),
and calls `memory_upload_install` before it touches `request.data`; every other view is held to
DATA_UPLOAD_MAX_MEMORY_SIZE and answers `request_too_large`.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from rest_framework import status

from vaultpay.errors import error_body

# Room for the multipart boundaries and the other form fields around the file.
MULTIPART_OVERHEAD = 64 * 1024


def upload_body_limit(view_class) -> int:
    """The largest request body (bytes) a view accepts: its file cap plus room for the form, or
    DATA_UPLOAD_MAX_MEMORY_SIZE for a view that takes no file."""
    setting = getattr(view_class, "upload_limit_setting", None)
    if setting:
        return getattr(settings, setting) + MULTIPART_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django's parser treats a malformed length as an empty body


class RequestBodyLimitMiddleware:
    """413 `request_too_large` for a body over the view's limit, decided before anything reads it.

    Runs in process_view, ahead of the CSRF middleware (which reads form bodies), so the limit
    belongs to the view that would parse the body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None) or view_func
        limit = upload_body_limit(view_class)
        if _content_length(request) <= limit:
            return None
        too_large = getattr(view_class, "upload_too_large", None)
        if too_large is not None:
            error = too_large()
            response = JsonResponse(error_body(error.code, error.message, error.details), status=error.status_code)
        else:
            body = error_body("request_too_large", "The request body is too large.", {"max_bytes": limit})
            response = JsonResponse(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        # The unread body stays on the socket; the client must open a new connection.
        response["Connection"] = "close"
        return response


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep each uploaded file in memory, and stop reading once one passes `max_bytes`.

    Django builds it with the request alone (FILE_UPLOAD_HANDLERS): it then allows what any body may
    hold, DATA_UPLOAD_MAX_MEMORY_SIZE. Upload views install one with their own cap.
    """

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if max_bytes is None else max_bytes
        self.too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.max_bytes:
            self.too_large = True
            self.buffer = BytesIO()
            # Drain the rest (bounded by RequestBodyLimitMiddleware) so the connection stays usable.
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


def memory_upload_install(request, *, max_bytes: int) -> MemoryOnlyUploadHandler:
    """Make `request` (DRF's) keep its files in memory, each at most `max_bytes`.

    Call before request.data is first read; check the handler's `too_large` after reading it.
    """
    handler = MemoryOnlyUploadHandler(request._request, max_bytes=max_bytes)
    request._request.upload_handlers = [handler]
    return handler
