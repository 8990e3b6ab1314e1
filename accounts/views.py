from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.models import User
from accounts.rate_limits import rate_limit
from accounts.serializers import (
    LoginInputSerializer,
    RefreshInputSerializer,
    SignupInputSerializer,
    TokenObtainInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
)
from accounts.services import auth_logged_out, auth_login_failed, auth_login_succeeded, user_signup
from vaultpay.errors import ValidationFailed
from vaultpay.schema import error_response


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
    """Log in with `{email, password}` as JSON.

    A login from an IP never seen for the account records it and emails a confirmation link; money
    cannot move from that IP for 30 minutes unless the link is followed.
    """

    serializer_class = TokenObtainInputSerializer

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
        if not isinstance(request.data, dict):  # a JSON string or list is not an object
            raise ValidationFailed("The request body must be an object with email and password.")
        data = request.data
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
    @extend_schema(
        request=RefreshInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("token_not_valid"),
        },
        tags=["auth"],
        description="Trade a refresh token for a new pair; the old refresh token is used up (rotation).",
    )
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
