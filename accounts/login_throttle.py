"""Throttling password guesses without letting anyone lock the owner out.

Only failures are counted, on two counters: per account and client IP (RATELIMIT_LOGIN_ACCOUNT_IP)
and per client IP whatever the account (RATELIMIT_LOGIN_IP). Someone guessing alice's password from
their own address fills their own counters; alice, from her address and with the right password,
is never refused because of them. One address spraying many accounts hits the per-IP counter. The
API login and the console login share these counters. Fails closed when the cache is down.
"""

from django.conf import settings
from django_ratelimit.core import get_usage

from accounts.exceptions import RateLimited
from vaultpay.errors import ServiceUnavailable
from vaultpay.metrics import login_lockout_started

_COUNTERS = (
    ("login-fail-ip", "RATELIMIT_LOGIN_IP"),
    ("login-fail-account-ip", "RATELIMIT_LOGIN_ACCOUNT_IP"),
)


def _keys(*, email: str, ip: str) -> dict[str, str]:
    return {"login-fail-ip": ip, "login-fail-account-ip": f"{email}|{ip}"}


def _usages(request, *, email: str, ip: str, increment: bool) -> list[dict | None]:
    keys = _keys(email=email, ip=ip)
    usages = []
    for group, setting in _COUNTERS:
        try:
            usage = get_usage(
                request,
                group=group,
                key=lambda _g, _r, k=keys[group]: k,
                rate=getattr(settings, setting),
                increment=increment,
            )
        except Exception:  # any cache backend failure: the caller fails closed
            usage = {"count": 0, "limit": 0, "should_limit": True, "time_left": -1}
        usages.append(usage)
    return usages


def login_throttle_check(request, *, email: str, ip: str) -> None:
    """Refuse a login attempt once either counter is full. Raises RateLimited, ServiceUnavailable."""
    for usage in _usages(request, email=email, ip=ip, increment=False):
        if usage is None:
            continue  # rate limiting switched off (RATELIMIT_ENABLE=false)
        if usage["time_left"] < 0:
            raise ServiceUnavailable("Rate limiting is unavailable right now; retry shortly.")
        if usage["count"] >= usage["limit"]:
            retry_after = max(usage["time_left"], 1)
            raise RateLimited(details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)})


def login_failure_count(request, *, email: str, ip: str) -> None:
    """Count one failed login on both counters; the failure that fills the account's is a lockout."""
    _ip_usage, account_usage = _usages(request, email=email, ip=ip, increment=True)
    if account_usage is not None and account_usage["count"] == account_usage["limit"]:
        login_lockout_started()
