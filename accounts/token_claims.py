"""The claims VaultPay adds to every JWT (kept apart so authentication imports nothing heavier)."""

SESSION_CLAIM = "sid"  # the session (refresh-token family) the token belongs to
AUTH_VERSION_CLAIM = "av"  # the user's auth_version when the token was issued
