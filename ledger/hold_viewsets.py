"""Holds as a DRF viewset: the caller's own only, the money actions behind the gate like a transfer."""

from datetime import timedelta

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.authentication import MoneyRequestAuthentication
from accounts.rate_limits import rate_limit
from ledger.idempotency import idempotency_key_of, idempotency_request_build
from ledger.money_api import money_created, money_input, pin_money_schema
from ledger.selectors import hold_get_for_user, holds_for_user
from ledger.serializers import HoldCaptureInputSerializer, HoldInputSerializer, HoldOutputSerializer
from ledger.services.holds import hold_authorize, hold_capture, hold_void
from ledger.views import money_gate_of
from vaultpay.pagination import HistoryPagination, PageQuerySerializer
from vaultpay.schema import IDEMPOTENCY_KEY_PARAMETER, error_response, page_of

_NOT_FOUND = {401: error_response("not_authenticated"), 404: error_response("not_found")}


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
    create=pin_money_schema(
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
        data, idempotency = money_input(request, HoldInputSerializer, operation="hold")
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
        return money_created(HoldOutputSerializer(result.hold), result)

    @pin_money_schema(
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
        data, idempotency = money_input(request, HoldCaptureInputSerializer, operation="hold_capture", subject=hold_id)
        result = hold_capture(
            user=request.user,
            hold_id=hold_id,
            amount=data.get("amount"),
            to_wallet_id=data.get("to_wallet"),
            idempotency=idempotency,
            gate=money_gate_of(request, data),
        )
        return money_created(HoldOutputSerializer(result.hold), result)

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
        return money_created(HoldOutputSerializer(result.hold), result)
