"""Wallets as a resource on the router: recipient lookup by public id (the caller's own wallet is wallets.views)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from accounts.rate_limits import rate_limit
from vaultpay.schema import error_response
from wallets.selectors import wallet_get_recipient
from wallets.serializers import WalletRecipientOutputSerializer


class WalletRecipientViewSet(viewsets.ViewSet):
    """Look a recipient up before paying: a name to check, never a balance, an email or a status."""

    lookup_field = "public_id"
    lookup_value_converter = "str"

    @extend_schema(
        operation_id="wallets_retrieve",
        responses={
            200: WalletRecipientOutputSerializer,
            401: error_response("not_authenticated"),
            404: error_response("wallet_not_found"),
            429: error_response("rate_limited"),
            503: error_response("service_unavailable"),
        },
        tags=["wallet"],
        description="Rate-limited per user (RATELIMIT_WALLET_LOOKUP), so wallet ids cannot be harvested.",
    )
    def retrieve(self, request, public_id: str):
        rate_limit(
            request,
            scope="wallet-lookup",
            key=str(request.user.pk),
            rate=settings.RATELIMIT_WALLET_LOOKUP,
            fail_open=False,
        )
        return Response(WalletRecipientOutputSerializer(wallet_get_recipient(public_id=public_id)).data)
