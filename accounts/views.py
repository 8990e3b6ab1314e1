from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.models import User
from accounts.notifications import notification_mark_all_read, notification_mark_read, notifications_for_user
from accounts.rate_limits import rate_limit
from accounts.serializers import (
    LoginInputSerializer,
    NotificationOutputSerializer,
    NotificationReadAllOutputSerializer,
    RefreshInputSerializer,
    SignupInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
)
from accounts.services import auth_logged_out, auth_login_failed, auth_login_succeeded, user_signup
from vaultpay.errors import ValidationFailed
from vaultpay.pagination import HistoryPagination, PageQuerySerializer
from vaultpay.schema import error_response, page_of


class SignupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=SignupInputSerializer,
        responses={
            201: UserOutputSerializer,
            400: error_response("validation_error"),
            409: error_response("email_taken"),
            429: error_response("rate_limited"),
            503: error_response("service_unavailable"),
        },
        tags=["auth"],
    )
    def post(self, request):
        rate_limit(request, scope="signup", key=request.client_ip, rate=settings.RATELIMIT_SIGNUP, fail_open=False)
        serializer = SignupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The address an account is created from is trusted for money movement from the start.
        user = user_signup(**serializer.validated_data, ip=request.client_ip)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    """Log in with `{email, password}` as JSON, or form-encoded `username`/`password` (OAuth2 style).

    A login from an IP never seen for the account records it and emails a confirmation link; money
    cannot move from that IP for 30 minutes unless the link is followed.
    """

    # OAuth2 clients send a urlencoded form; nothing else but JSON (no multipart, so no files).
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("authentication_failed"),
            429: error_response("rate_limited"),
            503: error_response("service_unavailable"),
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):  # QueryDict is a dict too; a JSON string or list is not
            raise ValidationFailed("The request body must be an object with email and password.")
        data = request.data.copy()
        if "email" not in data and "username" in data:
            data["email"] = data["username"]
        email = User.objects.normalize_email(str(data.get("email", "")))
        rate_limit(request, scope="login-ip", key=request.client_ip, rate=settings.RATELIMIT_LOGIN_IP, fail_open=False)
        rate_limit(request, scope="login-email", key=email, rate=settings.RATELIMIT_LOGIN_EMAIL, fail_open=False)
        serializer = self.get_serializer(data=data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            auth_login_failed(email=email)
            raise
        auth_login_succeeded(user=serializer.user, ip=request.client_ip)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class TokenRotateView(TokenRefreshView):
    @extend_schema(responses={200: TokenPairOutputSerializer, 401: error_response("token_not_valid")}, tags=["auth"])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(APIView):
    @extend_schema(
        request=RefreshInputSerializer,
        responses={204: None, 400: error_response("validation_error", "token_not_valid")},
        tags=["auth"],
    )
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = RefreshToken(serializer.validated_data["refresh"])
            if token.get("user_id") != str(request.user.pk) and token.get("user_id") != request.user.pk:
                raise TokenError("token belongs to another user")
            token.blacklist()
        except TokenError as exc:
            raise ValidationFailed("The refresh token is not valid.", details={"reason": str(exc)}) from exc
        auth_logged_out(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: UserOutputSerializer, 401: error_response("not_authenticated")}, tags=["users"])
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)


class NotificationListView(APIView):
    @extend_schema(
        parameters=[PageQuerySerializer],
        responses={
            200: page_of(NotificationOutputSerializer, name="NotificationPage"),
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
        },
        tags=["notifications"],
    )
    def get(self, request):
        """Your notifications, unread first, then newest first."""
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(notifications_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: NotificationOutputSerializer,
            401: error_response("not_authenticated"),
            404: error_response("not_found"),
        },
        tags=["notifications"],
    )
    def post(self, request, notification_id):
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        request=None,
        responses={200: NotificationReadAllOutputSerializer, 401: error_response("not_authenticated")},
        tags=["notifications"],
    )
    def post(self, request):
        return Response({"marked_read": notification_mark_all_read(user=request.user)})
