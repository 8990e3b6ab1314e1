"""Probes: /livez (the process answers), /readyz (its dependencies answer), /healthz (database and cache).

All three, and /metrics, are answered before host validation and HTTPS redirects: orchestrators and
Prometheus reach the container by an address production's ALLOWED_HOSTS rightly does not list.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from vaultpay.celery import app as celery_app
from vaultpay.metrics import metrics_view

logger = logging.getLogger(__name__)

# The worker heartbeat (vaultpay.tasks.worker_heartbeat, scheduled by beat) writes this cache key.
WORKER_HEARTBEAT_KEY = "vaultpay:worker-heartbeat"
WORKER_HEARTBEAT_MAX_AGE = 60  # seconds


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


def _broker_probe() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def worker_heartbeat_age() -> float | None:
    """Seconds since a worker last ran vaultpay.worker_heartbeat; None if it never did (or the cache forgot)."""
    beat = cache.get(WORKER_HEARTBEAT_KEY)
    return None if beat is None else time.time() - float(beat)


def _worker_probe() -> None:
    age = worker_heartbeat_age()
    if age is None or age > WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"no worker heartbeat in the last {WORKER_HEARTBEAT_MAX_AGE} s")


def _answer(checks: dict[str, str]) -> JsonResponse:
    healthy = all(value in ("ok", "skipped") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)


def livez(request) -> JsonResponse:
    """The process is up and serving: no dependency is asked (a restart would not fix them)."""
    return JsonResponse({"status": "ok"})


def readyz(request) -> JsonResponse:
    """Ready for traffic: database, cache, broker and a worker heartbeat newer than a minute.

    With tasks run eagerly (no broker, the embedded default) there is no worker to wait for.
    """
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    checks = {
        "database": _check(_database_probe),
        "cache": _check(_cache_probe),
        "broker": "skipped" if eager else _check(_broker_probe),
        "worker": "skipped" if eager else _check(_worker_probe),
    }
    return _answer(checks)


def healthz(request) -> JsonResponse:
    """The web process and what every request needs: 200 when the database and the cache answer."""
    return _answer({"database": _check(_database_probe), "cache": _check(_cache_probe)})


_PROBES = {"/livez": livez, "/readyz": readyz, "/healthz": healthz, "/metrics": metrics_view}


class HealthCheckMiddleware:
    """Answer the probes and /metrics before host validation and HTTPS redirects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = _PROBES.get(request.path)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
