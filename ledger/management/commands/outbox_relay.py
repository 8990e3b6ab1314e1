import signal
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from ledger.outbox import outbox_relay_forever


class Command(BaseCommand):
    help = "Publish the outbox's messages (receipts) to Celery as postings commit; runs until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, help="Stop after this long (default: run until SIGTERM).")
        parser.add_argument("--report", action="store_true", help="On exit, print the delivery delays (p50, p99).")

    def handle(self, *args, **options):
        delays: list[float] = []
        signal.signal(signal.SIGTERM, _stop)
        until = time.monotonic() + options["seconds"] if options["seconds"] else None
        try:
            outbox_relay_forever(
                poll_interval=settings.OUTBOX_POLL_INTERVAL,
                until=until,
                on_batch=delays.extend if options["report"] else None,
            )
        except KeyboardInterrupt:
            pass
        if options["report"]:
            self.stdout.write(_delay_report(delays))


def _stop(*_):
    raise KeyboardInterrupt  # SIGTERM ends the relay like Ctrl-C: after the batch in hand, never inside it


def _delay_report(delays: list[float]) -> str:
    if not delays:
        return "outbox delays: no messages relayed"
    ordered = sorted(delays)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    return f"outbox delays: {len(ordered)} messages, p50 {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
