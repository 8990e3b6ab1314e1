from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rate_limits import rate_limit
from accounts.services import owner_proof_check
from vaultpay.money import Money, currency_for
from vaultpay.schema import error_response
from wallets.limit_overrides import wallet_limit_override_for
from wallets.limits import LIMIT_PERIODS, TierLimits, limits_summary, tier_limits, wallet_usage
from wallets.personal_limits import personal_limit_set, personal_limit_state
from wallets.selectors import wallet_get_open_for_user
from wallets.serializers import (
    PersonalLimitInputSerializer,
    WalletCreateInputSerializer,
    WalletLimitsOutputSerializer,
    WalletOutputSerializer,
    WalletUnfreezeInputSerializer,
)
from wallets.services import (
    wallet_close,
    wallet_create,
    wallet_ensure_owner_may_unfreeze,
    wallet_freeze_by_owner,
    wallet_unfreeze_by_owner,
)

_AUTH = {401: error_response("not_authenticated")}


class WalletView(APIView):
    """The caller's own wallet: there is no way to address anyone else's."""

    @extend_schema(
        responses={200: WalletOutputSerializer, **_AUTH, 404: error_response("wallet_not_found")}, tags=["wallet"]
    )
    def get(self, request):
        return Response(WalletOutputSerializer(wallet_get_open_for_user(user=request.user)).data)

    @extend_schema(
        request=WalletCreateInputSerializer,
        responses={
            201: WalletOutputSerializer,
            400: error_response("validation_error", "currency_invalid", "currency_unsupported"),
            **_AUTH,
            409: error_response("wallet_exists"),
        },
        tags=["wallet"],
    )
    def post(self, request):
        serializer = WalletCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wallet = wallet_create(owner=request.user, currency=currency_for(serializer.validated_data["currency"]))
        return Response(WalletOutputSerializer(wallet).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            204: None,
            **_AUTH,
            404: error_response("wallet_not_found"),
            409: error_response("wallet_not_empty"),
        },
        tags=["wallet"],
    )
    def delete(self, request):
        wallet_close(owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _limit_ceiling(wallet) -> TierLimits:
    """The tier's limits, or an admin's override for this wallet: what a personal limit may go below."""
    return wallet_limit_override_for(wallet) or tier_limits(tier=wallet.limit_tier, currency=wallet.currency)


def _limits_response(wallet) -> Response:
    now = timezone.now()
    used = wallet_usage(owner_id=wallet.owner_id, currency=wallet.currency, now=now)
    personal = {period: personal_limit_state(wallet=wallet, period=period, now=now) for period in LIMIT_PERIODS}
    summary = limits_summary(wallet=wallet, ceiling=_limit_ceiling(wallet), personal=personal, used=used)
    return Response(WalletLimitsOutputSerializer(summary).data)


class WalletLimitsView(APIView):
    """The caller's spending-limit tier, their own lower limits, and what is left today and this month (UTC)."""

    @extend_schema(
        responses={
            200: WalletLimitsOutputSerializer,
            401: error_response("not_authenticated"),
            404: error_response("wallet_not_found"),
        },
        tags=["wallet"],
    )
    def get(self, request):
        return _limits_response(wallet_get_open_for_user(user=request.user))


class WalletPersonalLimitView(APIView):
    """Your own daily or monthly limit, below the tier's: lower at once, higher only after 24 hours."""

    @extend_schema(
        request=PersonalLimitInputSerializer,
        responses={
            200: WalletLimitsOutputSerializer,
            400: error_response(
                "validation_error", "amount_invalid", "amount_too_precise", "amount_too_large", "limit_above_tier"
            ),
            **_AUTH,
            404: error_response("wallet_not_found", "not_found"),
            429: error_response("rate_limited"),
        },
        tags=["wallet"],
        description="Lowering applies at once; raising a personal limit waits out a 24-hour cooling-off "
        "(shown as `pending.effective_at`). Never above the tier's limit (400 `limit_above_tier`).",
    )
    def put(self, request, period: str):
        rate_limit(request, scope="pin", key=str(request.user.pk), rate=settings.RATELIMIT_PIN, fail_open=False)
        wallet = wallet_get_open_for_user(user=request.user)
        serializer = PersonalLimitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amount = Money.parse(serializer.validated_data["amount"], wallet.currency)
        personal_limit_set(owner=request.user, period=period, amount=amount, ceiling=_limit_ceiling(wallet))
        return _limits_response(wallet)

    @extend_schema(
        responses={200: WalletLimitsOutputSerializer, **_AUTH, 404: error_response("wallet_not_found", "not_found")},
        tags=["wallet"],
        description="Back to the tier's limit, after the same 24-hour cooling-off as a raise.",
    )
    def delete(self, request, period: str):
        rate_limit(request, scope="pin", key=str(request.user.pk), rate=settings.RATELIMIT_PIN, fail_open=False)
        wallet = wallet_get_open_for_user(user=request.user)
        personal_limit_set(owner=request.user, period=period, amount=None, ceiling=_limit_ceiling(wallet))
        return _limits_response(wallet)


class WalletFreezeView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: WalletOutputSerializer,
            **_AUTH,
            404: error_response("wallet_not_found"),
            409: error_response("wallet_frozen"),
        },
        tags=["wallet"],
        description="Freeze your own wallet at once (a lost phone, a stolen card): withdrawals and transfers "
        "answer 409 `wallet_frozen` until you lift it with POST /api/v1/wallet/unfreeze.",
    )
    def post(self, request):
        return Response(WalletOutputSerializer(wallet_freeze_by_owner(owner=request.user)).data)


class WalletUnfreezeView(APIView):
    @extend_schema(
        request=WalletUnfreezeInputSerializer,
        responses={
            200: WalletOutputSerializer,
            400: error_response("validation_error", "pin_format_invalid"),
            **_AUTH,
            403: error_response("pin_not_set", "pin_invalid", "wallet_frozen_by_moderator"),
            404: error_response("wallet_not_found"),
            409: error_response("wallet_not_frozen"),
            423: error_response("pin_locked"),
            429: error_response("rate_limited"),
            503: error_response("service_unavailable"),
        },
        tags=["wallet"],
        description="Lift a freeze you made yourself, with your transaction PIN. A freeze made by VaultPay's "
        "moderators answers 403 `wallet_frozen_by_moderator`; wrong PINs count toward the PIN lockout.",
    )
    def post(self, request):
        rate_limit(request, scope="pin", key=str(request.user.pk), rate=settings.RATELIMIT_PIN, fail_open=False)
        serializer = WalletUnfreezeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Refuse a moderator's freeze before the PIN is tried: a PIN guess must not be the first answer.
        wallet_ensure_owner_may_unfreeze(wallet_get_open_for_user(user=request.user))
        owner_proof_check(user=request.user, pin=serializer.validated_data["pin"])
        return Response(WalletOutputSerializer(wallet_unfreeze_by_owner(owner=request.user)).data)
