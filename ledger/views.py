from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rate_limits import rate_limit
from accounts.services import money_movement_authorize, money_sender_check
from ledger.idempotency import IDEMPOTENCY_HEADERS, idempotency_request_build
from ledger.models import TransactionKind
from ledger.recipients import recipient_is_new
from ledger.selectors import (
    dispute_get_for_user,
    disputes_for_user,
    entries_of_transaction,
    entry_for_user_and_transaction,
    entry_history_for_user,
    history_page,
)
from ledger.serializers import (
    DisputeInputSerializer,
    DisputeJsonInputSerializer,
    DisputeOutputSerializer,
    EntryOutputSerializer,
    MoneyInputSerializer,
    PinMoneyInputSerializer,
    TransactionOutputSerializer,
    TransactionPageSerializer,
    TransferInputSerializer,
    WalletLimitsOutputSerializer,
)
from ledger.services import PostingResult, deposit, dispute_open, transfer, withdraw
from vaultpay.pagination import HistoryPagination, PageQuerySerializer, history_paginator
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response, page_of
from wallets.limits import limits_summary, wallet_spent
from wallets.selectors import wallet_get_open_for_user

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


def _money_schema(
    request_serializer,
    *extra_400: str,
    conflicts: tuple[str, ...],
    forbidden: tuple[str, ...] = (),
    pin: bool = True,
):
    responses = {
        201: TransactionOutputSerializer,
        400: error_response(*_AMOUNT_ERRORS, *extra_400),
        401: error_response("not_authenticated"),
        403: error_response(
            "ip_not_trusted",
            *(("pin_not_set", "pin_invalid", "email_not_verified", "otp_required", "otp_invalid") if pin else ()),
            *forbidden,
        ),
        404: error_response("wallet_not_found"),
        409: error_response("idempotency_request_in_progress", "currency_mismatch", *conflicts),
        422: error_response("idempotency_key_reused"),
        429: error_response("rate_limited"),
    }
    description = _TRUST_NOTE
    if pin:
        responses[423] = error_response("pin_locked", "otp_locked")
        description = _PIN_NOTE + " " + _TRUST_NOTE + " " + _STEP_UP_NOTE
    return extend_schema(
        request=request_serializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses=responses,
        description=description,
        tags=["transactions"],
    )


_PIN_NOTE = (
    "Requires the transaction PIN in `pin` (set it with POST /api/v1/pin). A wrong PIN answers 403 `pin_invalid` "
    "with `details.attempts_left`; the third wrong PIN in a row locks withdrawals and transfers for 24 hours "
    "(423 `pin_locked`, `details.locked_until`). A refused PIN never uses up the Idempotency-Key."
)
_STEP_UP_NOTE = (
    "Refused with 403 `email_not_verified` until the email address is verified. With two-factor on, a payment "
    "above STEP_UP_ABOVE for its currency, or a transfer to someone never paid before, needs a TOTP code in `otp` "
    "(403 `otp_required` without it, `otp_invalid` when wrong)."
)
_TRUST_NOTE = (
    "Refused with 403 `ip_not_trusted` from an IP first seen less than 30 minutes ago and not yet confirmed "
    "through the emailed link (`details.retry_after` in seconds)."
)


class MoneyMovementView(APIView):
    """Validate, fingerprint for idempotency, pass account security, call one money service, render."""

    input_serializer: type[MoneyInputSerializer] = MoneyInputSerializer
    operation = ""
    pin_required = True

    def post(self, request):
        # Money endpoints fail open when the cache is down: idempotency and PIN lockout live in the database.
        rate_limit(
            request, scope=self.operation, key=str(request.user.pk), rate=settings.RATELIMIT_MONEY, fail_open=True
        )
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
        # Before the durable money service, in its own transaction: a wrong PIN is committed as a
        # wrong try and the idempotency key stays unused.
        money_movement_authorize(
            user=request.user, ip=request.client_ip, pin=data.get("pin"), pin_required=self.pin_required
        )
        if self.pin_required:  # money leaves the caller: a verified email, and the step-up code when due
            money_sender_check(
                user=request.user,
                money=data["money"],
                otp=data.get("otp"),
                recipient_is_new=self.recipient_is_new(request, data),
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

    def recipient_is_new(self, request, data):
        """Whether the payment goes to someone never paid before, asked lazily; only transfers have a recipient."""
        return lambda: False


class DepositView(MoneyMovementView):
    operation = "deposit"
    pin_required = False

    @_money_schema(MoneyInputSerializer, conflicts=("wallet_frozen", "wallet_closed"), pin=False)
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return deposit(user=request.user, amount=data["money"], idempotency=idempotency)


class WithdrawView(MoneyMovementView):
    operation = "withdraw"
    input_serializer = PinMoneyInputSerializer

    @_money_schema(
        PinMoneyInputSerializer,
        conflicts=("wallet_frozen", "wallet_closed", "insufficient_funds"),
        forbidden=("limit_exceeded",),
    )
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return withdraw(user=request.user, amount=data["money"], idempotency=idempotency)


class TransferView(MoneyMovementView):
    operation = "transfer"
    input_serializer = TransferInputSerializer

    @_money_schema(
        TransferInputSerializer,
        "self_transfer",
        conflicts=("wallet_frozen", "wallet_closed", "insufficient_funds"),
        forbidden=("limit_exceeded",),
    )
    def post(self, request):
        return super().post(request)

    def recipient_is_new(self, request, data):
        return lambda: recipient_is_new(sender=request.user, to_wallet_id=data["to_wallet"])

    def perform(self, request, data, idempotency):
        return transfer(
            sender=request.user,
            to_wallet_id=data["to_wallet"],
            amount=data["money"],
            description=data["description"],
            idempotency=idempotency,
        )


class HistoryQuerySerializer(PageQuerySerializer):
    kind = serializers.ChoiceField(choices=TransactionKind.choices, required=False)
    created_after = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    created_before = serializers.DateTimeField(required=False, input_formats=["iso-8601", "%Y-%m-%d"])
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Keyset pages instead of offsets: empty for the first page, then the cursor in `next`. "
        "Every page costs the same however deep it is; no count.",
    )


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
        page = history_page([row["id"] for row in paginator.paginate_queryset(entries.values("id"), request, self)])
        # Every entry of the page is one of the caller's: their wallets are the page's own.
        context = {"wallet_ids": {entry.wallet_id for entry in page}}
        transactions = [entry.transaction for entry in page]
        data = TransactionOutputSerializer(transactions, many=True, context=context).data
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


class WalletLimitsView(APIView):
    """The caller's spending-limit tier and what is left of it today and this month (UTC)."""

    @extend_schema(
        responses={
            200: WalletLimitsOutputSerializer,
            401: error_response("not_authenticated"),
            404: error_response("wallet_not_found"),
        },
        tags=["wallet"],
    )
    def get(self, request):
        wallet = wallet_get_open_for_user(user=request.user)
        summary = limits_summary(wallet=wallet, used=wallet_spent(wallet, timezone.now()))
        return Response(WalletLimitsOutputSerializer(summary).data)


class TransactionDisputeView(APIView):
    @extend_schema(
        request={"multipart/form-data": DisputeInputSerializer, "application/json": DisputeJsonInputSerializer},
        responses={
            201: DisputeOutputSerializer,
            400: error_response(
                "validation_error",
                "amount_invalid",
                "amount_not_positive",
                "amount_too_precise",
                "amount_too_large",
                "dispute_amount_invalid",
                "evidence_type_unsupported",
                "evidence_too_large",
            ),
            401: error_response("not_authenticated"),
            404: error_response("not_found"),
            409: error_response("dispute_exists", "dispute_window_closed", "dispute_not_allowed"),
        },
        tags=["disputes"],
    )
    def post(self, request, transaction_id):
        serializer = DisputeInputSerializer(data=request.data)
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


class DisputeListView(APIView):
    @extend_schema(
        operation_id="disputes_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(DisputeOutputSerializer, name="DisputePage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
        tags=["disputes"],
    )
    def get(self, request):
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(disputes_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(DisputeOutputSerializer(page, many=True).data)


class DisputeDetailView(APIView):
    @extend_schema(
        responses={
            200: DisputeOutputSerializer,
            401: error_response("not_authenticated"),
            404: error_response("not_found"),
        },
        tags=["disputes"],
    )
    def get(self, request, dispute_id):
        return Response(DisputeOutputSerializer(dispute_get_for_user(user=request.user, dispute_id=dispute_id)).data)
