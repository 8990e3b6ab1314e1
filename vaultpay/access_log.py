"""The access log, written by VaultPay itself: one line per request with its id, never the client IP.

gunicorn's own access log cannot see the request id (it logs after the request's context is gone)
and writes the raw client address; the Docker image switches it off in favour of this one.
"""

import logging
import time

logger = logging.getLogger("vaultpay.access")


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request": request,  # names the request even where the log is filtered later
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                # Set by accounts.client_ip.ClientIpMiddleware; the probes answer before it runs.
                "ip_hash": getattr(request, "client_ip_hash", "")[:16],
            },
        )
        return response
