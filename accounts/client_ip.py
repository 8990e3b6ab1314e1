"""The client's IP address, decided once per request, and the keyed hash it is stored under.

REMOTE_ADDR is the client unless TRUSTED_PROXY_COUNT says that many reverse proxies of ours append
to X-Forwarded-For: then the client is the entry our outermost proxy appended. Entries further left
come from the client itself and can be forged, so they are never used.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings

from audit.context import reset_current_ip_hash, set_current_ip_hash


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = _valid_ip(forwarded[-proxies])
            if candidate:
                return candidate
    return _valid_ip(remote) or "0.0.0.0"  # noqa: S104 - a placeholder, never bound to


def ip_hash(ip: str) -> str:
    """HMAC-SHA256 of the IP under IP_HASH_KEY: comparable, but not reversible without the key."""
    return hmac.new(settings.IP_HASH_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


class ClientIpMiddleware:
    """Sets request.client_ip and request.client_ip_hash, and hands the hash to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        request.client_ip_hash = ip_hash(request.client_ip)
        token = set_current_ip_hash(request.client_ip_hash)
        try:
            return self.get_response(request)
        finally:
            reset_current_ip_hash(token)
