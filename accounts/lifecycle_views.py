"""The account lifecycle: password reset and change, email verification, sessions, two-factor."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.rate_limits import account_code_rate_limit
from accounts.serializers import (
    CodeInputSerializer,
    MfaLoginInputSerializer,
    PasswordChangeInputSerializer,
    PasswordResetConfirmInputSerializer,
    PasswordResetInputSerializer,
    RecoveryCodesOutputSerializer,
    SessionOutputSerializer,
    TokenPairOutputSerializer,
    TwoFactorSetupOutputSerializer,
)
from accounts.services import (
    auth_mfa_login,
    email_verification_resend,
    email_verify,
    password_change,
    password_reset_confirm,
    password_reset_request,
    session_revoke,
    sessions_active,
    sessions_logout_all,
    two_factor_confirm,
    two_factor_disable,
    two_factor_setup,
)
from accounts.token_claims import SESSION_CLAIM
from accounts.views import user_agent
from vaultpay.schema import error_response

_JSON_ONLY = [JSONParser]  # these endpoints take JSON bodies only: no form or multipart parsing
_LIMITED = {429: error_response("rate_limited"), 503: error_response("service_unavailable")}


def _current_session_id(request) -> str | None:
    return request.auth.get(SESSION_CLAIM) if request.auth is not None else None


def _anonymous_code_limits(request, scope: str, email: str) -> None:
    # Per IP and per address tried: neither one machine nor many can mail-bomb or guess one account.
    account_code_rate_limit(request, f"{scope}-ip", key=request.client_ip)
    account_code_rate_limit(request, f"{scope}-email", key=User.objects.normalize_email(email))


class PasswordResetView(APIView):
    parser_classes = _JSON_ONLY
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={202: None, 400: error_response("validation_error"), **_LIMITED},
        tags=["auth"],
        description="Email a six-digit code valid 30 minutes, if an account has this address. The answer is "
        "202 either way, so it never tells whether an address has an account.",
    )
    def post(self, request):
        serializer = PasswordResetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _anonymous_code_limits(request, "password-reset", serializer.validated_data["email"])
        password_reset_request(email=serializer.validated_data["email"], ip_hash=request.client_ip_hash)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    parser_classes = _JSON_ONLY
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={204: None, 400: error_response("validation_error", "code_invalid"), **_LIMITED},
        tags=["auth"],
        description="Set a new password with the emailed code. Every session is signed out and every access "
        "token issued before is refused. Five wrong codes retire the code.",
    )
    def post(self, request):
        serializer = PasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _anonymous_code_limits(request, "password-reset-confirm", serializer.validated_data["email"])
        password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    parser_classes = _JSON_ONLY

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={
            204: None,
            400: error_response("validation_error"),
            401: error_response("not_authenticated"),
            403: error_response("password_invalid"),
            **_LIMITED,
        },
        tags=["auth"],
        description="Every other session is signed out, and every access token issued before is refused, this "
        "request's too: refresh this session's token to carry on.",
    )
    def post(self, request):
        account_code_rate_limit(request, "password-change")
        serializer = PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_change(user=request.user, **serializer.validated_data, current_session=_current_session_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(APIView):
    parser_classes = _JSON_ONLY

    @extend_schema(
        request=CodeInputSerializer,
        responses={
            204: None,
            400: error_response("validation_error", "code_invalid"),
            409: error_response("email_taken"),
            **_LIMITED,
        },
        tags=["auth"],
        description="Send back the code from the verification email (valid 24 hours, five tries).",
    )
    def post(self, request):
        account_code_rate_limit(request, "email-verify")
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_verify(user=request.user, code=serializer.validated_data["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyResendView(APIView):
    @extend_schema(
        request=None,
        responses={202: None, 409: error_response("email_already_verified"), **_LIMITED},
        tags=["auth"],
        description="A new verification code for the address waiting to be verified; older codes stop working.",
    )
    def post(self, request):
        account_code_rate_limit(request, "email-verify-send")
        email_verification_resend(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class SessionListView(APIView):
    @extend_schema(responses={200: SessionOutputSerializer(many=True)}, tags=["auth"])
    def get(self, request):
        """Your signed-in sessions (refresh-token families), the one of this request marked `current`."""
        context = {"current_session_id": _current_session_id(request)}
        return Response(SessionOutputSerializer(sessions_active(user=request.user), many=True, context=context).data)


class SessionDetailView(APIView):
    @extend_schema(responses={204: None, 404: error_response("not_found")}, tags=["auth"])
    def delete(self, request, session_id):
        """End one of your sessions: its refresh token stops working (its access token lapses within minutes)."""
        session_revoke(user=request.user, session_id=session_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        """End every session, this one included; every access token issued so far is refused."""
        sessions_logout_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TwoFactorSetupView(APIView):
    @extend_schema(
        request=None,
        responses={200: TwoFactorSetupOutputSerializer, 409: error_response("two_factor_already_enabled"), **_LIMITED},
        tags=["2fa"],
        description="A new TOTP secret for an authenticator app; two-factor is on once POST /auth/2fa/confirm "
        "accepts a code from it.",
    )
    def post(self, request):
        account_code_rate_limit(request, "2fa")
        return Response(TwoFactorSetupOutputSerializer(two_factor_setup(user=request.user)).data)


class TwoFactorConfirmView(APIView):
    parser_classes = _JSON_ONLY

    @extend_schema(
        request=CodeInputSerializer,
        responses={
            200: RecoveryCodesOutputSerializer,
            400: error_response("validation_error"),
            403: error_response("otp_invalid"),
            409: error_response("two_factor_not_set_up", "two_factor_already_enabled"),
            423: error_response("otp_locked"),
            **_LIMITED,
        },
        tags=["2fa"],
    )
    def post(self, request):
        account_code_rate_limit(request, "2fa")
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = two_factor_confirm(user=request.user, code=serializer.validated_data["code"])
        return Response(RecoveryCodesOutputSerializer({"recovery_codes": codes}).data)


class TwoFactorDisableView(APIView):
    parser_classes = _JSON_ONLY

    @extend_schema(
        request=CodeInputSerializer,
        responses={
            204: None,
            400: error_response("validation_error"),
            403: error_response("otp_invalid"),
            409: error_response("two_factor_not_enabled"),
            423: error_response("otp_locked"),
            **_LIMITED,
        },
        tags=["2fa"],
        description="Needs a current TOTP code or an unused recovery code.",
    )
    def post(self, request):
        account_code_rate_limit(request, "2fa")
        serializer = CodeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        two_factor_disable(user=request.user, code=serializer.validated_data["code"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenMfaView(APIView):
    parser_classes = _JSON_ONLY
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=MfaLoginInputSerializer,
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("mfa_token_invalid"),
            403: error_response("otp_invalid"),
            423: error_response("otp_locked"),
            **_LIMITED,
        },
        tags=["auth"],
        description="The second login step: the `mfa_token` from the 401 `mfa_required` (valid 5 minutes, once) "
        "and a TOTP or recovery code. Five wrong codes lock two-factor checks for 15 minutes.",
    )
    def post(self, request):
        account_code_rate_limit(request, "2fa-login", key=request.client_ip)
        serializer = MfaLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = auth_mfa_login(**serializer.validated_data, ip=request.client_ip, user_agent=user_agent(request))
        return Response(TokenPairOutputSerializer(pair).data)
