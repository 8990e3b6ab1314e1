"""VaultPay's Prometheus metrics: every business metric is defined here, and the /metrics view.

Request latency and status, database and cache calls come from django-prometheus (its middleware and
its database and cache backends). The business counters below are incremented in-process by the code
that decides (one line each, no I/O): a counter increment costs well under a microsecond, so the money
path pays nothing measurable. The two gauges that need the database (receipts and emails still
pending) are computed only when Prometheus scrapes, never per request.

Under gunicorn with several worker processes, set PROMETHEUS_MULTIPROC_DIR (the Docker image does):
each process then writes its samples to that directory and a scrape sums them all.
"""

import hmac
import os

import prometheus_client
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, multiprocess
from prometheus_client.core import GaugeMetricFamily

POSTINGS = Counter("vaultpay_postings_total", "Committed ledger postings, by transaction kind.", ["kind"])
REFUSALS = Counter("vaultpay_refusals_total", "API requests refused with an error envelope, by error code.", ["code"])
IDEMPOTENT_REPLAYS = Counter(
    "vaultpay_idempotent_replays_total", "Money requests answered from their stored Idempotency-Key result."
)
LOCKOUTS = Counter(
    "vaultpay_lockouts_total",
    "Lockouts started: kind=pin (three wrong PINs), kind=login (an account's failed logins from one IP filled "
    "their limit).",
    ["kind"],
)


# Each label's child counter, looked up once: labels() takes a lock and builds a key on every call,
# which costs several times the increment itself.
_postings_by_kind: dict[str, Counter] = {}
_refusals_by_code: dict[str, Counter] = {}


def posting_committed(kind: str) -> None:
    counter = _postings_by_kind.get(kind)
    if counter is None:
        counter = _postings_by_kind.setdefault(kind, POSTINGS.labels(kind=kind))
    counter.inc()


def refusal_sent(code: str) -> None:
    counter = _refusals_by_code.get(code)
    if counter is None:
        counter = _refusals_by_code.setdefault(code, REFUSALS.labels(code=code))
    counter.inc()


def idempotent_replay_served() -> None:
    IDEMPOTENT_REPLAYS.inc()


def pin_lockout_started() -> None:
    LOCKOUTS.labels(kind="pin").inc()


def login_lockout_started() -> None:
    LOCKOUTS.labels(kind="login").inc()


class PendingWorkCollector:
    """Scrape-time gauges of work waiting on the Celery workers (three indexed queries per scrape)."""

    def collect(self):
        from accounts.models import EmailDelivery, EmailDeliveryStatus
        from ledger.models import OutboxMessage

        receipts = GaugeMetricFamily(
            "vaultpay_receipts_pending", "Outbox messages (receipts) committed but not yet published to Celery."
        )
        receipts.add_metric([], OutboxMessage.objects.count())
        yield receipts
        oldest = (
            EmailDelivery.objects.filter(status=EmailDeliveryStatus.PENDING)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        age = GaugeMetricFamily(
            "vaultpay_email_oldest_pending_age_seconds", "Age of the oldest email still waiting to be sent (0: none)."
        )
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield age
        yield self._webhooks_due()

    @staticmethod
    def _webhooks_due():
        from accounts.webhooks.models import WebhookDelivery, WebhookDeliveryStatus

        due = GaugeMetricFamily(
            "vaultpay_webhooks_due", "Webhook deliveries pending and due now (first attempts, retries, expired claims)."
        )
        pending = WebhookDelivery.objects.filter(
            status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        due.add_metric([], pending.count())  # webhook_delivery_due_idx answers it
        return due


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


_pending_registry = CollectorRegistry(auto_describe=False)
_pending_registry.register(PendingWorkCollector())


def _authorized(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(expected) and hmac.compare_digest(supplied.encode(), expected.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, for a scraper holding METRICS_TOKEN; 404 for everyone else.

    Without METRICS_TOKEN set, the endpoint does not exist at all: metrics are never public.
    """
    if not _authorized(request):
        return HttpResponseNotFound(b"", content_type="text/plain")
    body = prometheus_client.generate_latest(_process_registry()) + prometheus_client.generate_latest(_pending_registry)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
