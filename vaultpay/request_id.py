"""X-Request-ID: accepted from the client when it is safe, generated otherwise, echoed and logged."""

import logging
import re
import uuid
from contextvars import ContextVar, Token

_current_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# A client-supplied id lands in logs and audit rows: keep it short and free of control characters.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def current_request_id() -> str:
    return _current_request_id.get()


def request_id_set(request_id: str) -> Token:
    """Name the work now running (a request, a Celery task); give the token back to request_id_reset."""
    return _current_request_id.set(request_id)


def request_id_reset(token: Token) -> None:
    _current_request_id.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Put the request id on every log record.

    django.request logs an error response after the middleware chain has returned, when the context
    variable is already reset; the request it passes along still carries its id.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True
