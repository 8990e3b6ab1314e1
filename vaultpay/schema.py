"""OpenAPI pieces shared by every app: the error envelope and how each error code is documented."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorEnvelopeSerializer = inline_serializer(
    name="ErrorEnvelope",
    fields={
        "error": inline_serializer(
            name="Error",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
                "request_id": serializers.CharField(),
            },
        )
    },
)


def error_response(*codes: str) -> OpenApiResponse:
    """Document an HTTP error status with the envelope and the codes it can carry."""
    return OpenApiResponse(ErrorEnvelopeSerializer, description="Error codes: " + ", ".join(f"`{c}`" for c in codes))


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=True,
    type=str,
    description="Unique per money request (a UUID is ideal). A retry with the same key and body replays "
    "the first response with `Idempotent-Replayed: true`; `X-Idempotency-Key` is accepted too.",
)
