"""Where a webhook may be sent: https to a public address; plain http and loopback only in development.

The check runs twice: on the URL when an endpoint is registered (scheme, literal addresses,
localhost), and on every address the host name resolves to just before each delivery, which then
connects to that checked address, so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot point a delivery at the internal network.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from accounts.webhooks.exceptions import WebhookUrlForbidden

_LOCAL_NAMES = {"localhost", "localhost.localdomain"}


@dataclass(frozen=True)
class WebhookTarget:
    scheme: str
    host: str  # the name from the URL: the Host header and the TLS server name
    port: int
    path: str  # path and query, as sent on the request line
    address: str  # the checked IP address the delivery connects to


def _split(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise WebhookUrlForbidden(details={"reason": "An absolute https URL without credentials is required."})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookUrlForbidden(details={"reason": "The port is not a number from 1 to 65535."}) from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname.lower().rstrip("."), port, path


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return settings.WEBHOOK_ALLOW_LOOPBACK
    return ip.is_global and not ip.is_multicast


def _check_scheme(scheme: str, *, loopback: bool) -> None:
    if scheme == "http" and not (loopback and settings.WEBHOOK_ALLOW_LOOPBACK):
        raise WebhookUrlForbidden(details={"reason": "Webhook URLs must use https."})


def webhook_url_check(url: str) -> None:
    """Refuse (WebhookUrlForbidden) what can be judged without DNS: the scheme, credentials, literal
    addresses and local names. A host name's addresses are judged at each delivery."""
    scheme, host, _port, _path = _split(url)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    loopback = host in _LOCAL_NAMES or (literal is not None and literal.is_loopback)
    _check_scheme(scheme, loopback=loopback)
    if host in _LOCAL_NAMES and not settings.WEBHOOK_ALLOW_LOOPBACK:
        raise WebhookUrlForbidden(details={"reason": "Webhook URLs may not point at this server."})
    if literal is not None and not _address_allowed(str(literal)):
        raise WebhookUrlForbidden(details={"reason": "Webhook URLs may not point at a private or reserved address."})


def webhook_target_resolve(url: str) -> WebhookTarget:
    """The URL's parts and the first of its resolved addresses, each of which must be allowed.

    Raises WebhookUrlForbidden (also when the name does not resolve)."""
    scheme, host, port, path = _split(url)
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookUrlForbidden(details={"reason": "The host name does not resolve."}) from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(_address_allowed(a) for a in addresses):
        raise WebhookUrlForbidden(details={"reason": "The host resolves to a private or reserved address."})
    loopback = all(ipaddress.ip_address(a).is_loopback for a in addresses)
    _check_scheme(scheme, loopback=loopback)
    return WebhookTarget(scheme=scheme, host=host, port=port, path=path, address=addresses[0])
