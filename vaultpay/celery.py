"""The Celery app: configured from Django settings (CELERY_*), tasks discovered in each app.

Every task carries the request id of the request that queued it (a message header), so a task's
log lines and audit events name the same request as the web lines that led to them.
"""

import os
import time

from celery import Celery, signals

from vaultpay.request_id import current_request_id, request_id_reset, request_id_set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vaultpay.settings")

app = Celery("vaultpay")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "vaultpay_request_id"


@signals.before_task_publish.connect
def _send_request_id(headers=None, **kwargs) -> None:
    if headers is not None and current_request_id() != "-":
        headers.setdefault(REQUEST_ID_HEADER, current_request_id())


@signals.task_prerun.connect
def _adopt_request_id(task=None, task_id=None, **kwargs) -> None:
    # Custom headers arrive as request attributes (protocol 2) or in request.headers. A task run
    # eagerly keeps the id of the request running it; one queued outside any request (beat, a
    # command) is named by its own task id.
    sent = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(REQUEST_ID_HEADER)
    running = current_request_id()
    request_id = sent or (running if running != "-" else task_id) or "-"
    task.request.vaultpay_request_id_token = request_id_set(str(request_id))


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs) -> None:
    token = getattr(task.request, "vaultpay_request_id_token", None)
    if token is not None:
        request_id_reset(token)


@app.task(name="vaultpay.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Scheduled by beat: a fresh timestamp proves beat, broker and a worker all work (/readyz)."""
    from django.core.cache import cache

    from vaultpay.health import WORKER_HEARTBEAT_KEY

    cache.set(WORKER_HEARTBEAT_KEY, str(time.time()), timeout=None)
