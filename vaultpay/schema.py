"""OpenAPI pieces shared by every app: the error envelope and how each error code is documented."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class VaultPayAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, except that a viewset's `list` is documented as it answers.

    Our list actions paginate by hand and document their whole page (count, next, previous,
    results) or a `many=True` serializer; the default would wrap that page in an array once more.
    """

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) != "list":
            return super()._is_list_view(serializer)
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:
            serializer = serializer[min(serializer, key=str)]
        return is_list_serializer(serializer)


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
    # The rule ledger.idempotency enforces: 1-255 printable ASCII characters, no spaces.
    type={"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$", "minLength": 1, "maxLength": 255},
    examples=[OpenApiExample("A fresh UUID", value="3f2c1d9e-8a4b-4c61-9d0e-5b7a2f4e8c13")],
    description="Unique per money request (a UUID is ideal). A retry with the same key and body replays "
    "the first response with `Idempotent-Replayed: true`; `X-Idempotency-Key` is accepted too.",
)


_ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}


def _error_doc(*codes: str) -> dict:
    return {
        "description": "Error codes: " + ", ".join(f"`{c}`" for c in codes),
        "content": {"application/json": {"schema": _ERROR_REF}},
    }


# The bearer-token schemes of accounts.authentication (the money requests' has a name of its own).
_BEARER_SCHEMES = ("jwtAuth", "moneyJwtAuth")


def postprocess_common_errors(result: dict, generator, request, public) -> dict:
    """Document the errors every operation of a kind can answer, so no endpoint forgets them.

    Any operation behind the JWT can answer 401 (no, expired or bad token); any operation taking a
    body can answer 400 (malformed JSON, invalid fields). drf-spectacular hook (POSTPROCESSING_HOOKS).
    """
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if any(name in requirement for requirement in operation.get("security") or [] for name in _BEARER_SCHEMES):
                responses.setdefault("401", _error_doc("not_authenticated", "authentication_failed"))
            if "requestBody" in operation:
                responses.setdefault("400", _error_doc("malformed_request", "validation_error"))
    return result


def postprocess_exact_forms(result: dict, generator, request, public) -> dict:
    """Mark each multipart upload form `additionalProperties: false`: the server refuses stray form
    fields (vaultpay.api_fields.ExactFormSerializer). drf-spectacular hook (POSTPROCESSING_HOOKS)."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            ref = (form or {}).get("schema", {}).get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                components[ref.rsplit("/", 1)[1]]["additionalProperties"] = False
    return result


def _transaction_links() -> dict:
    """What a client can do next with a transaction it has just been answered."""
    by_id = {"transaction_id": "$response.body#/id"}
    return {
        "GetTransaction": {"operationId": "transactions_retrieve", "parameters": by_id},
        "GetTransactionEntries": {"operationId": "transactions_entries_list", "parameters": by_id},
        "GetTransactionByReference": {
            "operationId": "transactions_by_reference_retrieve",
            "parameters": {"reference": "$response.body#/reference"},
        },
        "DisputeTransaction": {"operationId": "transactions_disputes_create", "parameters": by_id},
    }


# (path, method, status) -> the OpenAPI links of that response: create, then read.
_RESPONSE_LINKS = {
    ("/api/v1/transactions/deposit", "post", "201"): _transaction_links,
    ("/api/v1/transactions/withdraw", "post", "201"): _transaction_links,
    ("/api/v1/transactions/transfer", "post", "201"): _transaction_links,
    ("/api/v1/transactions/{transaction_id}", "get", "200"): _transaction_links,
    ("/api/v1/transactions/{transaction_id}/disputes", "post", "201"): lambda: {
        "GetDispute": {"operationId": "disputes_retrieve", "parameters": {"dispute_id": "$response.body#/id"}}
    },
}


def postprocess_links(result: dict, generator, request, public) -> dict:
    """Declare the links between operations (a posted transaction -> read it, its entries, dispute it;
    an opened dispute -> read it), so clients and schemathesis's stateful phase can follow them.
    drf-spectacular hook (POSTPROCESSING_HOOKS)."""
    for (path, method, status), links in _RESPONSE_LINKS.items():
        response = result.get("paths", {}).get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response["links"] = links()
    return result


def page_of(item_serializer: type[serializers.Serializer], *, name: str) -> serializers.Serializer:
    """The schema of an offset page (vaultpay.pagination.HistoryPagination) of `item_serializer` rows."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item_serializer(many=True),
        },
    )
