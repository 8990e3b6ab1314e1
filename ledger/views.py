from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rate_limits import rate_limit
from accounts.services import money_movement_authorize
from ledger.idempotency import IDEMPOTENCY_HEADERS, idempotency_request_build
from ledger.serializers import (
    MoneyInputSerializer,
    PinMoneyInputSerializer,
    TransactionOutputSerializer,
    TransferInputSerializer,
    WalletLimitsOutputSerializer,
)
from ledger.services import PostingResult, deposit, transfer, withdraw
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response
from wallets.limits import limits_summary, wallet_spent
from wallets.selectors import wallet_get_open_for_user

_AMOUNT_ERRORS = (
    "validation_error",
    "amount_invalid",
    "amount_not_positive",
    "amount_too_precise",
    "amount_too_large",
    "currency_invalid",
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
        400: error_response(*_AMOUNT_ERRORS, *(("pin_format_invalid",) if pin else ()), *extra_400),
        401: error_response("not_authenticated"),
        403: error_response("ip_not_trusted", *(("pin_not_set", "pin_invalid") if pin else ()), *forbidden),
        404: error_response("wallet_not_found"),
        409: error_response(
            "idempotency_request_in_progress", "currency_mismatch", "wallet_balance_cap_reached", *conflicts
        ),
        422: error_response("idempotency_key_reused"),
        429: error_response("rate_limited"),
    }
    description = _TRUST_NOTE
    if pin:
        responses[423] = error_response("pin_locked")
        description = _PIN_NOTE + " " + _TRUST_NOTE
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

    def perform(self, request, data, idempotency):
        return transfer(
            sender=request.user,
            to_wallet_id=data["to_wallet"],
            amount=data["money"],
            description=data["description"],
            idempotency=idempotency,
        )


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
