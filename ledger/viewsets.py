"""The ledger's resources as DRF viewsets on a router: transactions, disputes and holds, the caller's own only."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.authentication import MoneyRequestAuthentication
from accounts.rate_limits import rate_limit
from ledger.exceptions import EvidenceTooLarge
from ledger.idempotency import idempotency_key_of, idempotency_request_build
from ledger.metadata import metadata_filters
from ledger.models import TransactionKind
from ledger.selectors import (
    dispute_get_for_user,
    disputes_for_user,
    entries_of_transaction,
    entry_for_user_and_reference,
    entry_for_user_and_transaction,
    entry_history_for_user,
    history_page,
    hold_get_for_user,
    holds_for_user,
)
from ledger.serializers import (
    DisputeInputSerializer,
    DisputeJsonInputSerializer,
    DisputeOutputSerializer,
    EntryOutputSerializer,
    HoldCaptureInputSerializer,
    HoldInputSerializer,
    HoldOutputSerializer,
    RefundInputSerializer,
    TransactionOutputSerializer,
    TransactionPageSerializer,
)
from ledger.services import dispute_open
from ledger.services.holds import hold_authorize, hold_capture, hold_void
from ledger.services.refunds import transaction_refund
from ledger.views import money_gate_of
from vaultpay.metrics import idempotent_replay_served
from vaultpay.money import amount_canonical
from vaultpay.pagination import CursorField, HistoryPagination, PageQuerySerializer, history_paginator
from vaultpay.parsers import BoundedJSONParser
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response, page_of
from vaultpay.uploads import memory_upload_install

_AMOUNT_400 = ("validation_error", "amount_invalid", "amount_not_positive", "amount_too_precise", "amount_too_large")


class HistoryQuerySerializer(PageQuerySerializer):
    kind = serializers.ChoiceField(choices=TransactionKind.choices, required=False)
    direction = serializers.ChoiceField(
        choices=[("in", "in"), ("out", "out")],
        required=False,
        help_text="`in`: money that reached your wallet; `out`: money that left it.",
    )
    created_after = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    created_before = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    cursor = CursorField(
        help_text="Keyset pages instead of offsets: empty for the first page, then the cursor in `next`. "
        "Every page costs the same however deep it is; no count. An unusable cursor answers 404."
    )


def _render_transaction(entry) -> dict:
    return TransactionOutputSerializer(entry.transaction, context={"wallet_ids": {entry.wallet_id}}).data


METADATA_QUERY_PARAMETER_SCHEMA = OpenApiParameter(
    "metadata",
    OpenApiTypes.OBJECT,
    style="deepObject",
    explode=True,
    description="metadata[key]=value: only transactions carrying that label (several: all of them).",
)

_PIN_403 = ("ip_not_trusted", "pin_not_set", "pin_invalid", "email_not_verified", "otp_required", "otp_invalid")


def _money_input(request, serializer_class, *, operation: str, subject=None):
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


def _created(serializer, result) -> Response:
    """201 with the resource; a replay says so in Idempotent-Replayed."""
    headers = {}
    if result.replayed:
        idempotent_replay_served()
        headers["Idempotent-Replayed"] = "true"
    return Response(serializer.data, status=status.HTTP_201_CREATED, headers=headers)


def _pin_money_schema(operation_id: str, request, created, *, bad=(), forbidden=(), missing=(), conflicts=(), **extra):
    """The schema of a money request that takes the PIN: every refusal of the gate and the key, and its own."""
    return extend_schema(
        operation_id=operation_id,
        request=request,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: created,
            400: error_response(*_AMOUNT_400, "pin_format_invalid", "idempotency_key_required", *bad),
            401: error_response("not_authenticated"),
            403: error_response(*_PIN_403, *forbidden),
            404: error_response(*missing),
            409: error_response("idempotency_request_in_progress", *conflicts),
            422: error_response("idempotency_key_reused"),
            423: error_response("pin_locked", "otp_locked"),
            429: error_response("rate_limited"),
        },
        **extra,
    )


_NOT_FOUND = {401: error_response("not_authenticated"), 404: error_response("not_found")}


@extend_schema_view(
    list=extend_schema(
        operation_id="transactions_list",
        parameters=[HistoryQuerySerializer, METADATA_QUERY_PARAMETER_SCHEMA],
        responses={200: TransactionPageSerializer, 400: error_response("validation_error"), **_NOT_FOUND},
        description="Your history, newest first. `direction`, `kind`, the dates and `metadata[key]=value` "
        "(any number of them, all must match) filter it.",
    ),
    retrieve=extend_schema(responses={200: TransactionOutputSerializer, **_NOT_FOUND}),
)
@extend_schema(tags=["transactions"])
class TransactionViewSet(viewsets.ViewSet):
    """Transactions the caller is a party to; anyone else's answers 404, as if it did not exist."""

    lookup_field = "transaction_id"
    lookup_value_converter = "uuid"
    # The body cap (vaultpay.uploads.RequestBodyLimitMiddleware) and its error: the only body any of
    # these actions reads is a dispute's, with its evidence file.
    upload_limit_setting = "DISPUTE_EVIDENCE_MAX_BYTES"
    upload_too_large = staticmethod(
        lambda: EvidenceTooLarge(details={"max_bytes": settings.DISPUTE_EVIDENCE_MAX_BYTES})
    )

    def list(self, request):
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        metadata, problems = metadata_filters(request.query_params)
        if problems:
            raise serializers.ValidationError({"metadata": problems})
        filters = {k: v for k, v in query.validated_data.items() if k not in ("limit", "offset", "cursor")}
        entries: QuerySet = entry_history_for_user(user=request.user, metadata=metadata, **filters)
        paginator = history_paginator(request)
        page = history_page([row["id"] for row in paginator.paginate_queryset(entries.values("id"), request, self)])
        # Every entry of the page is one of the caller's: their wallets are the page's own.
        context = {"wallet_ids": {entry.wallet_id for entry in page}}
        transactions = [entry.transaction for entry in page]
        data = TransactionOutputSerializer(transactions, many=True, context=context).data
        return paginator.get_paginated_response(data)

    def retrieve(self, request, transaction_id):
        return Response(
            _render_transaction(entry_for_user_and_transaction(user=request.user, transaction_id=transaction_id))
        )

    @extend_schema(
        operation_id="transactions_by_reference_retrieve",
        responses={200: TransactionOutputSerializer, **_NOT_FOUND},
        description="Look a transaction up by the reference on its receipt (TXN-...).",
    )
    @action(detail=False, methods=["get"], url_path="by-reference/<str:reference>")
    def by_reference(self, request, reference: str):
        return Response(_render_transaction(entry_for_user_and_reference(user=request.user, reference=reference)))

    @extend_schema(responses={200: EntryOutputSerializer(many=True), **_NOT_FOUND})
    @action(detail=True, methods=["get"])
    def entries(self, request, transaction_id):
        entry = entry_for_user_and_transaction(user=request.user, transaction_id=transaction_id)
        entries = entries_of_transaction(transaction=entry.transaction)
        return Response(EntryOutputSerializer(entries, many=True, context={"user": request.user}).data)

    @extend_schema(
        operation_id="transactions_disputes_create",
        request={"application/json": DisputeJsonInputSerializer, "multipart/form-data": DisputeInputSerializer},
        responses={
            201: DisputeOutputSerializer,
            400: error_response(*_AMOUNT_400, "dispute_amount_invalid", "evidence_type_unsupported"),
            **_NOT_FOUND,
            409: error_response("dispute_exists", "dispute_window_closed", "dispute_not_allowed"),
            413: error_response("evidence_too_large"),
            429: error_response("rate_limited"),
        },
        tags=["disputes"],
        description="Dispute a transaction you are a party to: JSON, or multipart/form-data with an evidence file.",
    )
    @action(detail=True, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser])
    def disputes(self, request, transaction_id):
        # Before the body is read: a burst of disputes never gets as far as storing its evidence.
        rate_limit(request, scope="dispute", key=str(request.user.pk), rate=settings.RATELIMIT_DISPUTE, fail_open=False)
        # The same memory-only pipeline as KYC documents: plaintext evidence never reaches a temp file.
        handler = memory_upload_install(request, max_bytes=settings.DISPUTE_EVIDENCE_MAX_BYTES)
        is_form = request.content_type.startswith("multipart/form-data")
        serializer = (DisputeInputSerializer if is_form else DisputeJsonInputSerializer)(data=request.data)
        if handler.too_large:
            raise self.upload_too_large()
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dispute = dispute_open(
            user=request.user,
            transaction_id=transaction_id,
            reason=data["reason"],
            amount=data.get("amount"),
            evidence=data.get("evidence"),
        )
        return Response(DisputeOutputSerializer(dispute).data, status=status.HTTP_201_CREATED)

    @_pin_money_schema(
        "transactions_refund_create",
        RefundInputSerializer,
        TransactionOutputSerializer,
        missing=("not_found",),
        conflicts=(
            "refund_not_allowed",
            "refund_exceeds_amount",
            "insufficient_funds",
            "wallet_frozen",
            "wallet_closed",
        ),
        description="Send all or part of a payment you received back to its sender (a linked `refund` "
        "transaction; the sender is notified). Refunds and reversals of one payment never total more "
        "than it. Takes the PIN and an Idempotency-Key like a transfer.",
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, transaction_id):
        data, idempotency = _money_input(request, RefundInputSerializer, operation="refund", subject=transaction_id)
        result = transaction_refund(
            user=request.user,
            transaction_id=transaction_id,
            amount=data.get("amount"),
            reason=data["reason"],
            metadata=data["metadata"],
            idempotency=idempotency,
            gate=money_gate_of(request, data),
        )
        refund = result.transaction
        return _created(TransactionOutputSerializer(refund, context={"wallet_ids": {refund.from_wallet_id}}), result)


@extend_schema_view(
    list=extend_schema(
        operation_id="disputes_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(DisputeOutputSerializer, name="DisputePage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
    ),
    retrieve=extend_schema(responses={200: DisputeOutputSerializer, **_NOT_FOUND}),
)
@extend_schema(tags=["disputes"])
class DisputeViewSet(viewsets.ViewSet):
    """Disputes the caller opened, newest first."""

    lookup_field = "dispute_id"
    lookup_value_converter = "uuid"

    def list(self, request):
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(disputes_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(DisputeOutputSerializer(page, many=True).data)

    def retrieve(self, request, dispute_id):
        return Response(DisputeOutputSerializer(dispute_get_for_user(user=request.user, dispute_id=dispute_id)).data)


@extend_schema_view(
    list=extend_schema(
        operation_id="holds_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(HoldOutputSerializer, name="HoldPage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
        description="Your holds, newest first.",
    ),
    retrieve=extend_schema(responses={200: HoldOutputSerializer, **_NOT_FOUND}),
    create=_pin_money_schema(
        "holds_create",
        HoldInputSerializer,
        HoldOutputSerializer,
        bad=("currency_invalid", "currency_unsupported", "self_transfer"),
        forbidden=("limit_exceeded",),
        missing=("wallet_not_found",),
        conflicts=("insufficient_funds", "currency_mismatch", "wallet_frozen"),
        description="Set money aside from your wallet now, to capture (all or part) or void later. It leaves "
        "`available` at once and shows in `on_hold`, counts against your spending limits, and goes back to "
        "the wallet by itself when it expires (default 7 days). Takes the PIN and an Idempotency-Key.",
    ),
)
@extend_schema(tags=["holds"])
class HoldViewSet(viewsets.ViewSet):
    """The caller's holds; anyone else's answers 404, as if it did not exist."""

    lookup_field = "hold_id"
    lookup_value_converter = "uuid"
    # The money actions check the token's signature only, like a transfer: the user's row is read by
    # their one round trip, which refuses a deactivated user or an outdated token there.
    money_actions = frozenset({"create", "capture", "void"})

    def get_authenticators(self):
        # Called before DRF sets self.action (but the schema generator sets it and has no request):
        # the router's map of this route says which action the request is.
        action = getattr(self, "action", None)
        if action is None and getattr(self, "request", None) is not None:
            action = self.action_map.get(self.request.method.lower())
        if action in self.money_actions:
            return [MoneyRequestAuthentication()]
        return super().get_authenticators()

    def list(self, request):
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(holds_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(HoldOutputSerializer(page, many=True).data)

    def retrieve(self, request, hold_id):
        return Response(HoldOutputSerializer(hold_get_for_user(user=request.user, hold_id=hold_id)).data)

    def create(self, request):
        data, idempotency = _money_input(request, HoldInputSerializer, operation="hold")
        expires_in = data.get("expires_in_seconds")
        result = hold_authorize(
            user=request.user,
            amount=data["money"],
            to_wallet_id=data.get("to_wallet"),
            description=data["description"],
            metadata=data["metadata"],
            expires_in=timedelta(seconds=expires_in) if expires_in else None,
            idempotency=idempotency,
            gate=money_gate_of(request, data),
        )
        return _created(HoldOutputSerializer(result.hold), result)

    @_pin_money_schema(
        "holds_capture_create",
        HoldCaptureInputSerializer,
        HoldOutputSerializer,
        bad=("hold_capture_exceeds_amount", "self_transfer"),
        missing=("not_found", "wallet_not_found"),
        conflicts=(
            "hold_not_authorized",
            "hold_expired",
            "currency_mismatch",
            "wallet_frozen",
            "wallet_closed",
            "wallet_balance_cap_reached",
        ),
        description="Pay all or part of the hold to `to_wallet` (default: the hold's payee; with none, the money "
        "leaves VaultPay as a withdrawal); the rest goes back to your wallet. Once only: a captured, voided or "
        "expired hold answers 409 `hold_not_authorized`.",
    )
    @action(detail=True, methods=["post"])
    def capture(self, request, hold_id):
        data, idempotency = _money_input(request, HoldCaptureInputSerializer, operation="hold_capture", subject=hold_id)
        result = hold_capture(
            user=request.user,
            hold_id=hold_id,
            amount=data.get("amount"),
            to_wallet_id=data.get("to_wallet"),
            idempotency=idempotency,
            gate=money_gate_of(request, data),
        )
        return _created(HoldOutputSerializer(result.hold), result)

    @extend_schema(
        operation_id="holds_void_create",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: HoldOutputSerializer,
            400: error_response("idempotency_key_required"),
            401: error_response("not_authenticated"),
            403: error_response("ip_not_trusted"),
            404: error_response("not_found"),
            409: error_response("hold_not_authorized", "idempotency_request_in_progress"),
            422: error_response("idempotency_key_reused"),
            429: error_response("rate_limited"),
        },
        description="Give the whole hold back to your wallet. No PIN: the money only comes back to you.",
    )
    @action(detail=True, methods=["post"])
    def void(self, request, hold_id):
        rate_limit(request, scope="hold_void", key=str(request.user.pk), rate=settings.RATELIMIT_MONEY, fail_open=True)
        idempotency = idempotency_request_build(
            user=request.user, key=idempotency_key_of(request), operation="hold_void", payload={"subject": str(hold_id)}
        )
        result = hold_void(
            user=request.user,
            hold_id=hold_id,
            idempotency=idempotency,
            gate=money_gate_of(request, {}, pin_required=False),
        )
        return _created(HoldOutputSerializer(result.hold), result)
