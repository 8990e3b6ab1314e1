from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import MoneyRequestAuthentication
from accounts.rate_limits import rate_limit
from accounts.services.money_gate import MoneyGateRequest
from ledger.idempotency import idempotency_key_of, idempotency_request_build
from ledger.serializers import (
    MoneyInputSerializer,
    PinMoneyInputSerializer,
    TransactionOutputSerializer,
    TransferInputSerializer,
)
from ledger.services import PostingResult, wallet_deposit, wallet_transfer, wallet_withdraw
from vaultpay.metrics import idempotent_replay_served
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response

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
        403: error_response(
            "ip_not_trusted",
            *(("pin_not_set", "pin_invalid", "email_not_verified", "otp_required", "otp_invalid") if pin else ()),
            *forbidden,
        ),
        404: error_response("wallet_not_found"),
        409: error_response(
            "idempotency_request_in_progress", "currency_mismatch", "wallet_balance_cap_reached", *conflicts
        ),
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


def money_gate_of(request, data: dict, *, pin_required: bool = True) -> MoneyGateRequest:
    """What the gate checks of an API money request: its address, the PIN and step-up code it brought."""
    return MoneyGateRequest(
        ip=request.client_ip,
        pin=data.get("pin") if pin_required else None,
        pin_required=pin_required,
        otp=data.get("otp"),
        auth_version=request.user.auth_version,
    )


class MoneyMovementView(APIView):
    """Validate, fingerprint for idempotency, pass account security, call one money service, render.

    The access token is checked for its signature and expiry only (MoneyRequestAuthentication):
    the user's row is read once, by the money request's own round trip, which refuses a deactivated
    user or an outdated token there.
    """

    authentication_classes = [MoneyRequestAuthentication]

    input_serializer: type[MoneyInputSerializer] = MoneyInputSerializer
    operation = ""

    def post(self, request):
        # Money endpoints fail open when the cache is down: idempotency and PIN lockout live in the database.
        rate_limit(
            request, scope=self.operation, key=str(request.user.pk), rate=settings.RATELIMIT_MONEY, fail_open=True
        )
        key = idempotency_key_of(request)
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
        if result.replayed:
            idempotent_replay_served()
        return Response(
            TransactionOutputSerializer(result.transaction, context=context).data,
            status=status.HTTP_201_CREATED,
            headers=headers,
        )

    def perform(self, request, data, idempotency) -> PostingResult:
        raise NotImplementedError


class DepositView(MoneyMovementView):
    operation = "deposit"

    @_money_schema(MoneyInputSerializer, conflicts=("wallet_frozen", "wallet_closed"), pin=False)
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        gate = money_gate_of(request, data, pin_required=False)
        return wallet_deposit(
            user=request.user, amount=data["money"], idempotency=idempotency, gate=gate, metadata=data["metadata"]
        )


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
        return wallet_withdraw(
            user=request.user,
            amount=data["money"],
            idempotency=idempotency,
            gate=money_gate_of(request, data),
            metadata=data["metadata"],
        )


class TransferView(MoneyMovementView):
    operation = "transfer"
    input_serializer = TransferInputSerializer

    @_money_schema(
        TransferInputSerializer,
        "self_transfer",
        conflicts=("wallet_frozen", "wallet_closed", "insufficient_funds"),
        forbidden=("limit_exceeded", "new_recipient_daily_limit"),
    )
    def post(self, request):
        return super().post(request)

    def perform(self, request, data, idempotency):
        return wallet_transfer(
            sender=request.user,
            to_wallet_id=data["to_wallet"],
            amount=data["money"],
            description=data["description"],
            idempotency=idempotency,
            gate=money_gate_of(request, data),
            metadata=data["metadata"],
        )
