"""One HTTP POST of a signed event, to the address webhooks.targets checked (never a redirect)."""

import hashlib
import hmac
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from accounts.webhooks.targets import WebhookTarget

SIGNATURE_HEADER = "VaultPay-Signature"
STORED_RESPONSE_BYTES = 300


def webhook_signature(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    """The header value: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, one v1 per secret (the current
    one first; after a rotation, the previous one too). The timestamp bounds replays."""
    macs = [
        hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest() for secret in secrets
    ]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


@dataclass(frozen=True)
class SendOutcome:
    status_code: int | None
    response: str
    error: str

    @property
    def acknowledged(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to by now."""

    def __init__(self, target: WebhookTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with the certificate verified for the URL's host name."""

    def __init__(self, target: WebhookTarget, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def webhook_post(*, target: WebhookTarget, body: bytes, secrets: list[str], event_id: str) -> SendOutcome:
    """POST `body`; a 3xx is a failure like any non-2xx (redirects are not followed)."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "VaultPay-Webhooks/1",
        "VaultPay-Event-Id": event_id,
        SIGNATURE_HEADER: webhook_signature(secrets=secrets, timestamp=int(time.time()), body=body),
    }
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        head = response.read(STORED_RESPONSE_BYTES)
        return SendOutcome(response.status, head.decode("utf-8", "replace"), "")
    except (OSError, http.client.HTTPException) as exc:
        return SendOutcome(None, "", f"{type(exc).__name__}: {exc}"[:STORED_RESPONSE_BYTES])
    finally:
        connection.close()
