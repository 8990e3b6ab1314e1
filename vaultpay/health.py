import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def _check(probe) -> str:
    try:
        probe()
    except Exception:  # a health check reports every failure instead of raising it
        logger.exception("health probe failed")
        return "error"
    return "ok"


def _database_probe() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_probe() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def healthz(request):
    """Liveness and readiness: 200 when the database and the cache answer, 503 otherwise."""
    checks = {"database": _check(_database_probe), "cache": _check(_cache_probe)}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


class HealthCheckMiddleware:
    """Answer /healthz before host validation and HTTPS redirects.

    Orchestrators probe the container as http://localhost:8000/healthz, a host that production's
    ALLOWED_HOSTS rightly does not list; the probe must still get a real answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
