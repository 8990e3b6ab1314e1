"""The caller's webhook endpoints and their deliveries, as a DRF viewset on a router."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.rate_limits import rate_limit
from accounts.webhooks.selectors import webhook_deliveries_for_endpoint, webhook_endpoints_for_user
from accounts.webhooks.serializers import (
    WebhookDeliveryOutputSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointSecretOutputSerializer,
)
from accounts.webhooks.services import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
)
from vaultpay.pagination import HistoryPagination, PageQuerySerializer
from vaultpay.schema import error_response, page_of

_NOT_FOUND = {401: error_response("not_authenticated"), 404: error_response("not_found")}


def _with_secret(endpoint, secret: str) -> dict:
    shown = {
        **WebhookEndpointOutputSerializer(endpoint).data,
        "secret": secret,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
    }
    return WebhookEndpointSecretOutputSerializer(shown).data


def _page(view, request, queryset, serializer_class):
    query = PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    paginator = HistoryPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        operation_id="webhooks_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(WebhookEndpointOutputSerializer, name="WebhookEndpointPage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
        description="Your webhook endpoints, newest first.",
    ),
    create=extend_schema(
        request=WebhookEndpointInputSerializer,
        responses={
            201: WebhookEndpointSecretOutputSerializer,
            400: error_response("validation_error", "webhook_url_forbidden"),
            401: error_response("not_authenticated"),
            409: error_response("webhook_endpoint_limit_reached"),
        },
        description="Register an endpoint. The response carries its signing secret, shown this once.",
    ),
    destroy=extend_schema(responses={204: None, **_NOT_FOUND}, description="Delete an endpoint and its deliveries."),
)
@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(viewsets.ViewSet):
    lookup_field = "webhook_id"
    lookup_value_converter = "uuid"

    def list(self, request):
        return _page(self, request, webhook_endpoints_for_user(user=request.user), WebhookEndpointOutputSerializer)

    def create(self, request):
        rate_limit(request, scope="webhooks", key=str(request.user.pk), rate="30/h", fail_open=False)
        body = WebhookEndpointInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = webhook_endpoint_create(owner=request.user, **body.validated_data)
        return Response(_with_secret(endpoint, secret), status=status.HTTP_201_CREATED)

    def destroy(self, request, webhook_id):
        webhook_endpoint_delete(owner=request.user, endpoint_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookEndpointSecretOutputSerializer, **_NOT_FOUND})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, webhook_id):
        endpoint, secret = webhook_endpoint_rotate_secret(owner=request.user, endpoint_id=webhook_id)
        return Response(_with_secret(endpoint, secret))

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(WebhookDeliveryOutputSerializer, name="WebhookDeliveryPage"),
            400: error_response("validation_error"),
            **_NOT_FOUND,
        },
        description="The endpoint's deliveries, newest first, with each one's last answer.",
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, webhook_id):
        deliveries = webhook_deliveries_for_endpoint(user=request.user, endpoint_id=webhook_id)
        return _page(self, request, deliveries, WebhookDeliveryOutputSerializer)

    @extend_schema(
        request=None,
        responses={
            200: WebhookDeliveryOutputSerializer,
            409: error_response("webhook_endpoint_disabled"),
            **_NOT_FOUND,
        },
        description="Send a delivery again now, with the same event id.",
    )
    @action(detail=True, methods=["post"], url_path="deliveries/<uuid:delivery_id>/redeliver")
    def redeliver(self, request, webhook_id, delivery_id):
        delivery = webhook_delivery_redeliver(owner=request.user, endpoint_id=webhook_id, delivery_id=delivery_id)
        return Response(WebhookDeliveryOutputSerializer(delivery).data)
