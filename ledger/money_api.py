"""What every money action of the ledger's API does: rate-limit, validate and fingerprint the request,
answer 201 (saying when it is a replay), and document the gate's refusals in the schema."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.rate_limits import rate_limit
from ledger.idempotency import idempotency_key_of, idempotency_request_build
from vaultpay.metrics import idempotent_replay_served
from vaultpay.money import amount_canonical
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response

AMOUNT_400 = ("validation_error", "amount_invalid", "amount_not_positive", "amount_too_precise", "amount_too_large")
PIN_403 = ("ip_not_trusted", "pin_not_set", "pin_invalid", "email_not_verified", "otp_required", "otp_invalid")


def money_input(request, serializer_class, *, operation: str, subject=None):
    """Rate-limit, validate and fingerprint a money request: (its validated data, its idempotency request)."""
    rate_limit(request, scope=operation, key=str(request.user.pk), rate=settings.RATELIMIT_MONEY, fail_open=True)
    key = idempotency_key_of(request)
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    if hasattr(serializer_class, "fingerprint_payload"):
        payload = serializer_class.fingerprint_payload(data)
    else:
        payload = {k: v for k, v in data.items() if k not in ("pin", "otp")}
        if "amount" in payload:
            payload["amount"] = amount_canonical(payload["amount"])
    if subject is not None:
        payload["subject"] = str(subject)
    idempotency = idempotency_request_build(user=request.user, key=key, operation=operation, payload=payload)
    return data, idempotency


def money_created(serializer, result) -> Response:
    """201 with the resource; a replay says so in Idempotent-Replayed."""
    headers = {}
    if result.replayed:
        idempotent_replay_served()
        headers["Idempotent-Replayed"] = "true"
    return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)


def pin_money_schema(operation_id: str, request, created, *, bad=(), forbidden=(), missing=(), conflicts=(), **extra):
    """The schema of a money request that takes the PIN: every refusal of the gate and the key, and its own."""
    return extend_schema(
        operation_id=operation_id,
        request=request,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: created,
            400: error_response(*AMOUNT_400, "pin_format_invalid", "idempotency_key_required", *bad),
            401: error_response("not_authenticated"),
            403: error_response(*PIN_403, *forbidden),
            404: error_response(*missing),
            409: error_response("idempotency_request_in_progress", *conflicts),
            422: error_response("idempotency_key_reused"),
            423: error_response("pin_locked", "otp_locked"),
            429: error_response("rate_limited"),
        },
        **extra,
    )
