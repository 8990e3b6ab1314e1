"""The ledger's resources as DRF viewsets on a router: transactions, disputes and holds, the caller's own only."""

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.rate_limits import rate_limit
from ledger.exceptions import EvidenceTooLarge
from ledger.metadata import metadata_filters
from ledger.models import TransactionKind
from ledger.money_api import AMOUNT_400, money_created, money_input, pin_money_schema
from ledger.selectors import (
    dispute_get_for_user,
    disputes_for_user,
    entries_of_transaction,
    entry_for_user_and_reference,
    entry_for_user_and_transaction,
    entry_history_for_user,
    history_page,
)
from ledger.serializers import (
    DisputeInputSerializer,
    DisputeJsonInputSerializer,
    DisputeOutputSerializer,
    EntryOutputSerializer,
    RefundInputSerializer,
    TransactionOutputSerializer,
    TransactionPageSerializer,
)
from ledger.services import dispute_open
from ledger.services.refunds import transaction_refund
from ledger.views import money_gate_of
from vaultpay.pagination import CursorField, HistoryPagination, PageQuerySerializer, history_paginator
from vaultpay.parsers import BoundedJSONParser
from vaultpay.schema import error_response, page_of
from vaultpay.uploads import memory_upload_install


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
            400: error_response(*AMOUNT_400, "dispute_amount_invalid", "evidence_type_unsupported"),
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

    @pin_money_schema(
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
        data, idempotency = money_input(request, RefundInputSerializer, operation="refund", subject=transaction_id)
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
        return money_created(
            TransactionOutputSerializer(refund, context={"wallet_ids": {refund.from_wallet_id}}), result
        )


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
