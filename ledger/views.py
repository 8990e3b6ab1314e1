from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.idempotency import IDEMPOTENCY_HEADERS, idempotency_request_build
from ledger.models import TransactionKind
from ledger.selectors import (
    entries_of_transaction,
    entries_with_counterparties,
    entry_for_user_and_transaction,
    entry_history_for_user,
)
from ledger.serializers import (
    EntryOutputSerializer,
    MoneyInputSerializer,
    TransactionOutputSerializer,
    TransactionPageSerializer,
    TransferInputSerializer,
)
from ledger.services import PostingResult, deposit, transfer, withdraw
from vaultpay.pagination import history_paginator
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response
from wallets.models import Wallet

_AMOUNT_ERRORS = (
    "validation_error",
    "amount_invalid",
    "amount_not_positive",
    "amount_too_precise",
    "amount_too_large",
    "currency_unsupported",
    "idempotency_key_required",
)


def _caller_wallet_ids_in(txn, user) -> set[int]:
    """The caller's side of a transaction just posted, from the wallets the posting already holds."""
    return {wallet.pk for wallet in (txn.from_wallet, txn.to_wallet) if wallet.owner_id == user.pk}


def _caller_wallet_ids(user) -> set[int]:
    return set(Wallet.objects.filter(owner=user).values_list("pk", flat=True))


def _money_schema(request_serializer, *extra_400: str, conflicts: tuple[str, ...]):
    return extend_schema(
        request=request_serializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: TransactionOutputSerializer,
            400: error_response(*_AMOUNT_ERRORS, *extra_400),
            401: error_response("not_authenticated"),
            404: error_response("wallet_not_found"),
            409: error_response("idempotency_request_in_progress", "currency_mismatch", *conflicts),
            422: error_response("idempotency_key_reused"),
        },
        tags=["transactions"],
    )


class MoneyMovementView(APIView):
    """Validate, fingerprint for idempotency, call one money service, render the transaction."""

    input_serializer: type[MoneyInputSerializer] = MoneyInputSerializer
    operation = ""

    def post(self, request):
        key = next((request.headers[h] for h in IDEMPOTENCY_HEADERS if h in request.headers), None)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        idempotency = idempotency_request_build(
            user=request.user,
            key=key,
            operation=self.operation,
            payload=self.input_serializer.fingerprint_payload(data),
        )
        result = self.perform(request, data, idempotency)
        context = {"wallet_ids": _caller_wallet_ids_in(result.transaction, request.user)}
        headers = {"Idempotent-Replayed": "true"} if result.replayed else {}
        return Response(
            TransactionOutputSerializer(result.transaction, context=context).data,
            status=status.HTTP_201_CREATED,
            headers=headers,
        )

    def perform(self, request, data, idempotency) -> PostingResult:
        raise NotImplementedError


class DepositView(MoneyMovementView):
    operation = "deposit"

    @_money_schema(MoneyInputSerializer, conflicts=("wallet_frozen", "wallet_closed"))
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return deposit(user=request.user, amount=data["money"], idempotency=idempotency)


class WithdrawView(MoneyMovementView):
    operation = "withdraw"

    @_money_schema(MoneyInputSerializer, conflicts=("wallet_frozen", "wallet_closed", "insufficient_funds"))
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return withdraw(user=request.user, amount=data["money"], idempotency=idempotency)


class TransferView(MoneyMovementView):
    operation = "transfer"
    input_serializer = TransferInputSerializer

    @_money_schema(
        TransferInputSerializer, "self_transfer", conflicts=("wallet_frozen", "wallet_closed", "insufficient_funds")
    )
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return transfer(
            sender=request.user,
            to_wallet_id=data["to_wallet"],
            amount=data["money"],
            description=data["description"],
            idempotency=idempotency,
        )


class HistoryQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TransactionKind.choices, required=False)
    created_after = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    created_before = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, help_text="Page size, default 10.")
    offset = serializers.IntegerField(
        required=False, min_value=0, help_text="How many rows to skip (offset pages, with a count)."
    )
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Keyset pages instead of offsets: empty for the first page, then the cursor in `next`. "
        "Every page costs the same however deep it is; no count.",
    )

    def to_internal_value(self, data):
        # DRF reads a blank form value as "not sent"; in a query string (`?kind=`) it is a mistake.
        blank = [name for name, field in self.fields.items() if data.get(name) == "" and name != "cursor"]
        if blank:
            raise serializers.ValidationError({name: ["This field may not be blank."] for name in blank})
        return super().to_internal_value(data)


class TransactionListView(APIView):
    @extend_schema(
        operation_id="transactions_list",
        parameters=[HistoryQuerySerializer],
        responses={
            200: TransactionPageSerializer,
            400: error_response("validation_error"),
            404: error_response("not_found"),
        },
        tags=["transactions"],
    )
    def get(self, request):
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if k not in ("limit", "offset", "cursor")}
        entries: QuerySet = entry_history_for_user(user=request.user, **filters)
        paginator = history_paginator(request)
        page = paginator.paginate_queryset(entries, request, view=self)
        context = {"wallet_ids": _caller_wallet_ids(request.user)}
        data = TransactionOutputSerializer(entries_with_counterparties(page), many=True, context=context).data
        return paginator.get_paginated_response(data)


class TransactionDetailView(APIView):
    @extend_schema(
        responses={200: TransactionOutputSerializer, 404: error_response("not_found")}, tags=["transactions"]
    )
    def get(self, request, transaction_id):
        entry = entry_for_user_and_transaction(user=request.user, transaction_id=transaction_id)
        context = {"wallet_ids": {entry.wallet_id}}
        return Response(TransactionOutputSerializer(entry.transaction, context=context).data)


class TransactionEntriesView(APIView):
    @extend_schema(
        responses={200: EntryOutputSerializer(many=True), 404: error_response("not_found")}, tags=["transactions"]
    )
    def get(self, request, transaction_id):
        entry = entry_for_user_and_transaction(user=request.user, transaction_id=transaction_id)
        entries = entries_of_transaction(transaction=entry.transaction)
        return Response(EntryOutputSerializer(entries, many=True, context={"user": request.user}).data)
