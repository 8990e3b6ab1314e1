"""A real HTTP receiver on 127.0.0.1 for webhook tests: it verifies each signature as a customer would."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_valid(*, secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The README's verification, verbatim in spirit: parse t and every v1, recompute, compare in constant time."""
    items = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamp = next((value for name, value in items if name == "t"), "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for name, value in items if name == "v1")


class WebhookReceiver:
    """Records every POST (event, headers, whether its signature verified); answers `status` (200)."""

    def __init__(self):
        self.secret = ""
        self.secrets_by_path: dict[str, str] = {}  # several endpoints (users) at one receiver
        self.status = 200
        self.answer = b"ok"
        self.headers_extra: dict = {}
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    {
                        "event": json.loads(body),
                        "path": self.path,
                        "verified": signature_valid(
                            secret=receiver.secrets_by_path.get(self.path, receiver.secret),
                            header=self.headers.get("VaultPay-Signature", ""),
                            body=body,
                        ),
                    }
                )
                self.send_response(receiver.status)
                for name, value in receiver.headers_extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self._handler = Handler
        self.port = 0
        self._server = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/vaultpay"

    def start(self) -> None:
        """Listen (again, on the same port after stop())."""
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Kill the receiver: the port refuses connections until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events_of(self, event_type: str) -> list[dict]:
        return [r["event"] for r in self.received if r["event"]["type"] == event_type]
