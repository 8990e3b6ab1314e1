from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from vaultpay.money import currency_for
from vaultpay.schema import error_response
from wallets.limit_overrides import wallet_limit_override_for
from wallets.limits import limits_summary, tier_limits, wallet_usage
from wallets.selectors import wallet_get_open_for_user
from wallets.serializers import WalletCreateInputSerializer, WalletLimitsOutputSerializer, WalletOutputSerializer
from wallets.services import wallet_close, wallet_create


class WalletView(APIView):
    """The caller's own wallet: there is no way to address anyone else's."""

    @extend_schema(responses={200: WalletOutputSerializer, 404: error_response("wallet_not_found")}, tags=["wallet"])
    def get(self, request):
        return Response(WalletOutputSerializer(wallet_get_open_for_user(user=request.user)).data)

    @extend_schema(
        request=WalletCreateInputSerializer,
        responses={
            201: WalletOutputSerializer,
            400: error_response("validation_error", "currency_unsupported"),
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
        responses={204: None, 404: error_response("wallet_not_found"), 409: error_response("wallet_not_empty")},
        tags=["wallet"],
    )
    def delete(self, request):
        wallet_close(owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
        used = wallet_usage(owner_id=wallet.owner_id, currency=wallet.currency, now=timezone.now())
        limits = wallet_limit_override_for(wallet) or tier_limits(tier=wallet.limit_tier, currency=wallet.currency)
        summary = limits_summary(wallet=wallet, limits=limits, used=used)
        return Response(WalletLimitsOutputSerializer(summary).data)
