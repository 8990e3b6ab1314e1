from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.exceptions import LoginFailed
from accounts.login_throttle import login_failure_count, login_throttle_check
from accounts.models import User
from accounts.rate_limits import account_code_rate_limit, rate_limit
from accounts.serializers import (
    LoginInputSerializer,
    ProfileUpdateInputSerializer,
    RefreshInputSerializer,
    SignupInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
)
from accounts.services import (
    auth_password_login,
    session_revoke_by_refresh,
    session_rotate,
    user_profile_update,
    user_signup,
)
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


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


class TokenView(APIView):
    """Log in with `{email, password}` as JSON.

    A login from an IP never seen for the account records it and emails a confirmation link; money
    cannot move from that IP for 30 minutes unless the link is followed. With two-factor on, the
    answer is 401 `mfa_required` with `details.mfa_token` for POST /api/v1/auth/token/mfa. Only
    failures count toward the rate limit, per account and IP and per IP, so guesses from elsewhere
    never lock the owner out.
    """

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("authentication_failed", "mfa_required"),
            429: error_response("rate_limited"),
            503: error_response("service_unavailable"),
        },
        tags=["auth"],
    )
    def post(self, request):
        if not isinstance(request.data, dict):  # a JSON string or list is not an object
            raise ValidationFailed("The request body must be an object with email and password.")
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = User.objects.normalize_email(serializer.validated_data["email"])
        login_throttle_check(request, email=email, ip=request.client_ip)
        try:
            pair = auth_password_login(
                email=email,
                password=serializer.validated_data["password"],
                ip=request.client_ip,
                user_agent=user_agent(request),
            )
        except LoginFailed:
            login_failure_count(request, email=email, ip=request.client_ip)
            raise
        return Response(TokenPairOutputSerializer(pair).data)


class TokenRotateView(APIView):
    """Trade the refresh token for a new pair. Each refresh token works once: using one again (a
    stolen copy, or a client refreshing twice at once) ends its whole session."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=RefreshInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("token_not_valid"),
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = session_rotate(
            refresh=serializer.validated_data["refresh"], user_agent=user_agent(request), ip=request.client_ip
        )
        return Response(TokenPairOutputSerializer(pair).data)


class LogoutView(APIView):
    @extend_schema(
        request=RefreshInputSerializer,
        responses={204: None, 400: error_response("validation_error"), 404: error_response("not_found")},
        tags=["auth"],
        description="End the session this refresh token belongs to (yours only: anyone else's is 404).",
    )
    def post(self, request):
        serializer = RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session_revoke_by_refresh(user=request.user, refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    parser_classes = [JSONParser]  # PATCH takes JSON only

    @extend_schema(responses={200: UserOutputSerializer, 401: error_response("not_authenticated")}, tags=["users"])
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)

    @extend_schema(
        request=ProfileUpdateInputSerializer,
        responses={
            200: UserOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
            409: error_response("email_taken"),
            429: error_response("rate_limited"),
        },
        tags=["users"],
        description="Names change at once. A new `email` gets a verification code and replaces the login only "
        "once POST /api/v1/auth/email/verify accepts it.",
    )
    def patch(self, request):
        serializer = ProfileUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "email" in serializer.validated_data:
            account_code_rate_limit(request, "email-verify-send")
        user = user_profile_update(user=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)
