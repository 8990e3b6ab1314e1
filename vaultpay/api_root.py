"""GET /api/v1/: what the API offers, so a client can start from one URL."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# Resource name -> URL name: the viewsets on the apps' routers, the caller's wallet and the schema.
# The money actions (POST /transactions/deposit, ...) are in the schema, not here.
API_RESOURCES = {
    "wallet": "wallet",
    "transactions": "transaction-list",
    "disputes": "dispute-list",
    "notifications": "notification-list",
    "known_ips": "security-ip-list",
    "security_events": "security-events",
    "kyc_submissions": "kyc-submissions",
    "schema": "schema",
    "docs": "swagger-ui",
}


class ApiRootView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="api_root",
        responses={
            200: inline_serializer(name="ApiRoot", fields={name: serializers.URLField() for name in API_RESOURCES})
        },
        tags=["api"],
        description="Links to every resource; no sign-in needed.",
    )
    def get(self, request):
        return Response({name: reverse(url_name, request=request) for name, url_name in API_RESOURCES.items()})
