"""Rate limits on the default cache (django-ratelimit), and what happens when the cache is down.

Policy when the cache (Redis) is unreachable: endpoints that guard credentials (signup, login, PIN)
fail closed with 503 `service_unavailable`, because without a counter they could be brute-forced;
money endpoints fail open and keep working, because their safety (idempotency, PIN lockout) lives
in the database, not in the cache.
"""

import logging

from django.conf import settings
from django_ratelimit.core import get_usage

from accounts.exceptions import RateLimited
from vaultpay.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def rate_limit(request, *, scope: str, key: str, rate: str, fail_open: bool) -> None:
    """Count this request for (scope, key); raise RateLimited (429 with Retry-After) past `rate`.

    Raises ServiceUnavailable when the cache cannot count and `fail_open` is false.
    """
    try:
        usage = get_usage(request, group=scope, key=lambda _group, _request: key, rate=rate, increment=True)
    except Exception:  # any cache backend failure: redis connection refused, timeout, ...
        logger.exception("rate limit cache error for %s", scope)
        usage = {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
    if usage is None:
        return  # rate limiting switched off (RATELIMIT_ENABLE=false)
    if usage["time_left"] < 0:  # django-ratelimit's marker for "the cache did not answer"
        logger.warning("rate limit cache unavailable for %s; failing %s", scope, "open" if fail_open else "closed")
        if fail_open:
            return
        raise ServiceUnavailable("Rate limiting is unavailable right now; retry shortly.")
    if usage["should_limit"]:
        retry_after = max(usage["time_left"], 1)
        raise RateLimited(details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)})


def account_code_rate_limit(request, scope: str, *, key: str | None = None) -> None:
    """Password reset, email verification and two-factor endpoints: per user (per IP when anonymous),
    or per `key` when given (an email address). They guard credentials, so they fail closed."""
    if key is None:
        key = str(request.user.pk) if request.user.is_authenticated else request.client_ip
    rate_limit(request, scope=scope, key=key, rate=settings.RATELIMIT_ACCOUNT_CODES, fail_open=False)
