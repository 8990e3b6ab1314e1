"""JWT authentication that also refuses access tokens issued before the user's last auth_version bump.

The comparison is against the user row simplejwt loads for every request anyway: a password change,
a reset or a logout everywhere takes effect on the next request at no extra query.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.token_claims import AUTH_VERSION_CLAIM


class VaultPayJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if validated_token.get(AUTH_VERSION_CLAIM) != user.auth_version:
            raise AuthenticationFailed(
                "This token was issued before a password change or a sign-out everywhere: refresh or sign in again.",
                code="token_not_valid",
            )
        return user


class VaultPayJWTScheme(SimpleJWTScheme):
    """Documents VaultPayJWTAuthentication as simplejwt's bearer scheme (drf-spectacular matches exact classes)."""

    target_class = VaultPayJWTAuthentication
