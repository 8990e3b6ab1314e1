"""The caller's notifications and known IP addresses as DRF viewsets on a router."""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notifications_for_user,
    notifications_unread_count,
)
from accounts.rate_limits import rate_limit
from accounts.selectors import known_ips_for_user
from accounts.serializers import (
    IpConfirmInputSerializer,
    KnownIpOutputSerializer,
    NotificationOutputSerializer,
    NotificationReadAllOutputSerializer,
    UnreadCountOutputSerializer,
)
from accounts.services import ip_confirm, ip_revoke
from vaultpay.pagination import HistoryPagination, PageQuerySerializer
from vaultpay.schema import error_response, page_of

_NOT_FOUND = {401: error_response("not_authenticated"), 404: error_response("not_found")}


class NotificationQuerySerializer(PageQuerySerializer):
    unread_only = serializers.BooleanField(required=False, default=False, help_text="Only notifications not yet read.")


@extend_schema_view(
    list=extend_schema(
        operation_id="notifications_list",
        parameters=[NotificationQuerySerializer],
        responses={
            200: page_of(NotificationOutputSerializer, name="NotificationPage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
        description="Your notifications, unread first, then newest first.",
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(viewsets.ViewSet):
    lookup_field = "notification_id"
    lookup_value_converter = "int"

    def list(self, request):
        query = NotificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        notifications = notifications_for_user(user=request.user, unread_only=query.validated_data["unread_only"])
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: UnreadCountOutputSerializer, 401: error_response("not_authenticated")})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"count": notifications_unread_count(user=request.user)})

    @extend_schema(request=None, responses={200: NotificationOutputSerializer, **_NOT_FOUND})
    @action(detail=True, methods=["post"])
    def read(self, request, notification_id: int):
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationOutputSerializer(notification).data)

    @extend_schema(
        request=None,
        responses={200: NotificationReadAllOutputSerializer, 401: error_response("not_authenticated")},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked_read": notification_mark_all_read(user=request.user)})


_LIMITED = {429: error_response("rate_limited"), 503: error_response("service_unavailable")}


@extend_schema_view(
    list=extend_schema(responses={200: KnownIpOutputSerializer(many=True), 401: error_response("not_authenticated")}),
    destroy=extend_schema(responses={204: None, **_NOT_FOUND}, description="Revoke a known address."),
)
@extend_schema(tags=["security"])
class KnownIpViewSet(viewsets.ViewSet):
    """Addresses the caller has signed in from (stored only as keyed hashes)."""

    lookup_field = "known_ip_id"
    lookup_value_converter = "int"

    def list(self, request):
        known = known_ips_for_user(user=request.user)
        return Response(KnownIpOutputSerializer(known, many=True, context={"now": timezone.now()}).data)

    def destroy(self, request, known_ip_id: int):
        ip_revoke(user=request.user, known_ip_id=known_ip_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=IpConfirmInputSerializer,
        responses={
            200: KnownIpOutputSerializer,
            400: error_response("validation_error", "ip_confirm_token_invalid"),
            **_LIMITED,
        },
        description="Confirm a new IP with the token from its email, for apps; it works without signing in, the "
        "token is the proof. A POST only: nothing that merely fetches a URL can confirm (the emailed link opens "
        "the page of accounts.pages, whose button posts).",
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def confirm(self, request):
        # Fails closed when the cache is down, like the PIN endpoints: the token must not be guessable.
        rate_limit(request, scope="ip-confirm", key=request.client_ip, rate=settings.RATELIMIT_PIN, fail_open=False)
        serializer = IpConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        known = ip_confirm(token=serializer.validated_data["token"])
        return Response(KnownIpOutputSerializer(known, context={"now": timezone.now()}).data)
