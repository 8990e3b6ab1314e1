"""Transaction PIN and the user's own security events (known IPs: accounts.viewsets)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rate_limits import rate_limit
from accounts.selectors import security_events_for_user
from accounts.serializers import (
    PinChangeInputSerializer,
    PinResetConfirmInputSerializer,
    PinResetOutputSerializer,
    PinSetInputSerializer,
    SecurityEventOutputSerializer,
)
from accounts.services import (
    pin_change,
    pin_reset_confirm,
    pin_reset_request,
    pin_set,
)
from vaultpay.pagination import HistoryPagination, PageQuerySerializer
from vaultpay.schema import error_response, page_of

_LIMITED = {429: error_response("rate_limited"), 503: error_response("service_unavailable")}
_NEW_PIN_ERRORS = ("validation_error", "pin_format_invalid", "pin_too_weak")


def _pin_rate_limit(request, scope: str) -> None:
    # PIN endpoints fail closed when the cache is down: without a counter they could be hammered.
    key = str(request.user.pk) if request.user.is_authenticated else request.client_ip
    rate_limit(request, scope=scope, key=key, rate=settings.RATELIMIT_PIN, fail_open=False)


class PinView(APIView):
    @extend_schema(
        request=PinSetInputSerializer,
        responses={
            204: None,
            400: error_response(*_NEW_PIN_ERRORS),
            409: error_response("pin_already_set"),
            **_LIMITED,
        },
        tags=["security"],
    )
    def post(self, request):
        _pin_rate_limit(request, "pin")
        serializer = PinSetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pin_set(user=request.user, pin=serializer.validated_data["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PinChangeView(APIView):
    @extend_schema(
        request=PinChangeInputSerializer,
        responses={
            204: None,
            400: error_response(*_NEW_PIN_ERRORS),
            403: error_response("pin_not_set", "pin_invalid"),
            423: error_response("pin_locked"),
            **_LIMITED,
        },
        tags=["security"],
    )
    def post(self, request):
        _pin_rate_limit(request, "pin")
        serializer = PinChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pin_change(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PinResetView(APIView):
    @extend_schema(
        request=None,
        responses={202: PinResetOutputSerializer, 403: error_response("pin_not_set"), **_LIMITED},
        tags=["security"],
        description="Email a single-use code, valid 30 minutes, for POST /api/v1/pin/reset/confirm.",
    )
    def post(self, request):
        _pin_rate_limit(request, "pin-reset")
        reset = pin_reset_request(user=request.user)
        return Response(PinResetOutputSerializer(reset).data, status=status.HTTP_202_ACCEPTED)


class PinResetConfirmView(APIView):
    @extend_schema(
        request=PinResetConfirmInputSerializer,
        responses={204: None, 400: error_response(*_NEW_PIN_ERRORS, "pin_reset_token_invalid"), **_LIMITED},
        tags=["security"],
        description="Set a new PIN with the emailed code; this also lifts a PIN lockout.",
    )
    def post(self, request):
        _pin_rate_limit(request, "pin-reset")
        serializer = PinResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pin_reset_confirm(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecurityEventListView(APIView):
    @extend_schema(
        operation_id="security_events_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(SecurityEventOutputSerializer, name="SecurityEventPage"),
            400: error_response("validation_error"),
        },
        tags=["security"],
    )
    def get(self, request):
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(security_events_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(SecurityEventOutputSerializer(page, many=True).data)
