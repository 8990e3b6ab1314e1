"""One error base class and one exception handler: every API error has the same envelope.

{"error": {"code": "insufficient_funds", "message": "...", "details": {...}, "request_id": "..."}}
"""

import logging
from typing import Any

from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from vaultpay.metrics import refusal_sent
from vaultpay.request_id import current_request_id

logger = logging.getLogger(__name__)


class VaultPayError(Exception):
    """A domain error with a stable machine-readable code and the HTTP status it maps to."""

    code = "error"
    status_code = status.HTTP_400_BAD_REQUEST
    message = "The request could not be completed."

    def __init__(
        self, message: str | None = None, *, details: dict[str, Any] | None = None, headers: dict | None = None
    ):
        self.message = message or self.message
        self.details = details or {}
        self.headers = headers or {}  # e.g. Retry-After on 429
        super().__init__(self.message)


class ValidationFailed(VaultPayError):
    code = "validation_error"
    message = "The request body is not valid."


class ServiceUnavailable(VaultPayError):
    code = "service_unavailable"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "A dependency is unavailable; retry shortly."


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    """The envelope of every error VaultPay answers; each one is counted by its code (vaultpay.metrics)."""
    refusal_sent(code)
    return {"error": {"code": code, "message": message, "details": details or {}, "request_id": current_request_id()}}


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
}


def bad_request_view(request, exception=None) -> JsonResponse:
    """handler400: what Django refuses before any view runs (a body over the size cap, a Host not in
    ALLOWED_HOSTS) answers in the envelope too, not as Django's HTML page."""
    if isinstance(exception, RequestDataTooBig):
        body = error_body("request_too_large", "The request body is larger than VaultPay accepts.")
        return JsonResponse(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exception, DisallowedHost):
        return JsonResponse(error_body("host_not_allowed", "This host name is not served here."), status=400)
    return JsonResponse(error_body("bad_request", "The request is malformed."), status=status.HTTP_400_BAD_REQUEST)


def permission_denied_view(request, exception=None) -> JsonResponse:
    """handler403: e.g. a CSRF refusal on a session-authenticated page, in the envelope."""
    return JsonResponse(error_body("permission_denied", "Permission denied."), status=status.HTTP_403_FORBIDDEN)


def not_found_view(request, exception=None) -> JsonResponse:
    """handler404: a URL that matches no route (e.g. a malformed id) still answers in the envelope."""
    return JsonResponse(error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)


def server_error_view(request) -> JsonResponse:
    """handler500: even a bug answers in the envelope, with the request id to find it in the logs."""
    body = error_body("server_error", "Something went wrong on our side; it has been logged.")
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _drf_code(exc: exceptions.APIException) -> str:
    # Exact classes first: subclasses such as simplejwt's InvalidToken carry a more precise code.
    return _DRF_CODES.get(type(exc), exc.default_code)


def _drf_message(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return str(detail.get("detail", exc.default_detail))
    return str(detail)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render domain errors and DRF's own errors in the VaultPay envelope.

    Like DRF's default handler, it marks the atomic block for rollback, so a failed request
    never leaves half a change behind.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, (OperationalError, InterfaceError)):
        # The database is restarting or unreachable: nothing was committed, so the client may retry
        # (with the same Idempotency-Key for money). A 503 says so; a 500 would claim a bug.
        logger.warning("database unavailable: %s", exc)
        exc = ServiceUnavailable(details={"dependency": "database"})

    if isinstance(exc, VaultPayError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code, headers=exc.headers)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            body = error_body("validation_error", "The request body is not valid.", {"fields": exc.detail})
        else:
            body = error_body(_drf_code(exc), _drf_message(exc))
        return Response(body, status=exc.status_code, headers=headers)

    return None
