"""JWT authentication that also refuses access tokens issued before the user's last auth_version bump.

Every endpoint but the money requests: the comparison is against the user row simplejwt loads for
every request anyway, so a password change, a reset or a logout everywhere takes effect on the next
request at no extra query. The money requests load no row here at all (MoneyRequestAuthentication):
their posting's one round trip checks the same things on the row it reads anyway.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.token_claims import AUTH_VERSION_CLAIM


class VaultPayJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version:
            raise token_outdated()
        return user


class TokenCaller:
    """The caller of a money request as its access token names them: an id and the auth_version.

    Whether that user is still active and the version still current is answered by the posting's
    gate (accounts/sql/money_gate.sql), in the same round trip as the posting: an outdated token
    is refused there with the same 401 `token_not_valid` as everywhere else.
    """

    is_authenticated = True
    is_anonymous = False

    def __init__(self, token):
        self.pk = self.id = int(token[api_settings.USER_ID_CLAIM])
        self.auth_version = token.get(AUTH_VERSION_CLAIM)

    def __str__(self) -> str:
        return f"user {self.pk}"


class MoneyRequestAuthentication(JWTStatelessUserAuthentication):
    """The signature and expiry of the access token only: no query (see TokenCaller)."""

    def get_user(self, validated_token):
        try:
            return TokenCaller(validated_token)
        except (KeyError, TypeError, ValueError) as exc:
            raise AuthenticationFailed(
                "Token contained no recognizable user identification", code="token_not_valid"
            ) from exc


def token_outdated() -> InvalidToken:
    # simplejwt's own refusal of a token: the envelope names it token_not_valid, as for an expired one.
    return InvalidToken("This token was issued before a password change or a sign-out everywhere: sign in again.")


class VaultPayJWTScheme(SimpleJWTScheme):
    """Documents VaultPayJWTAuthentication as simplejwt's bearer scheme (drf-spectacular matches exact classes)."""

    target_class = VaultPayJWTAuthentication


class MoneyRequestJWTScheme(SimpleJWTScheme):
    """The same bearer token, for MoneyRequestAuthentication, under a name of its own (drf-spectacular
    keeps one authentication class per scheme name)."""

    target_class = MoneyRequestAuthentication
    name = "moneyJwtAuth"
