from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.serializers import (
    RefreshInputSerializer,
    SignupInputSerializer,
    TokenPairOutputSerializer,
    UserOutputSerializer,
)
from accounts.services import user_signup
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
        },
        tags=["auth"],
    )
    def post(self, request):
        serializer = SignupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_signup(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    """Log in with `{email, password}` as JSON, or form-encoded `username`/`password` (OAuth2 style)."""

    @extend_schema(
        responses={
            200: TokenPairOutputSerializer,
            400: error_response("validation_error"),
            401: error_response("authentication_failed"),
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):  # QueryDict is a dict too; a JSON string or list is not
            raise ValidationFailed("The request body must be an object with email and password.")
        data = request.data.copy()
        if "email" not in data and "username" in data:
            data["email"] = data["username"]
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
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
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: UserOutputSerializer, 401: error_response("not_authenticated")}, tags=["users"])
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)
