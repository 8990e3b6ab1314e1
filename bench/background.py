"""What runs beside the load in production, run beside it here: the audit sequencer and the outbox relay.

Postings append audit events unsealed and leave their receipts in the outbox; the sequencer (beat's
`audit.tasks.seal_audit_events`, here a thread calling `audit_seal_pending` every second) links the
events into the chain, and `manage.py outbox_relay` (here a subprocess with the bench environment)
publishes the receipts. Their CPU is reported apart from gunicorn's; their PostgreSQL backends serve
the benchmark database, so the database CPU per transfer includes their share.
"""

import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime

from bench import stack


class Sequencer:
    """A thread sealing pending audit events every `interval_s`, as beat would; on stop, it seals what is left."""

    def __init__(self, interval_s: float = 1.0):
        self.interval_s = interval_s
        self.cpu_s = 0.0
        self.backend_cpu_s = 0.0  # its PostgreSQL backend's, part of the database CPU measured
        self.sealed = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection

        from audit.sealing import audit_seal_pending

        started = time.thread_time()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        backend_started = stack.process_cpu_s(backend) or 0.0
        try:
            while True:
                stopping = self._stop.wait(self.interval_s)
                try:
                    self.sealed += audit_seal_pending()
                    while stopping and (sealed := audit_seal_pending()):  # the last pass drains a backlog
                        self.sealed += sealed
                except Exception:  # noqa: BLE001 - the bank test's faults (PostgreSQL restarted, Redis down for
                    # the anchor's cache write) must not end the sequencer: seal again on the next tick
                    self.failures += 1
                    connection.close()
                if stopping:
                    return
        finally:
            self.cpu_s = time.thread_time() - started
            self.backend_cpu_s = (stack.process_cpu_s(backend) or backend_started) - backend_started
            connection.close()

    def start(self) -> "Sequencer":
        self._thread.start()
        return self

    def stop(self) -> "Sequencer":
        self._stop.set()
        self._thread.join()
        return self


def sealing_lag_ms(*, since: datetime, until: datetime) -> dict:
    """p50 and p99 of sealed_at - occurred_at over the audit events that occurred in [since, until]."""
    from audit.models import AuditEvent

    rows = AuditEvent.objects.filter(occurred_at__gte=since, occurred_at__lte=until)
    pairs = list(rows.values_list("occurred_at", "seal__sealed_at"))
    lags = sorted(1000 * (sealed - occurred).total_seconds() for occurred, sealed in pairs if sealed is not None)
    unsealed = sum(1 for _, sealed in pairs if sealed is None)
    if not lags:
        return {"events": len(pairs), "unsealed": unsealed, "p50_ms": None, "p99_ms": None}
    return {
        "events": len(pairs),
        "unsealed": unsealed,
        "p50_ms": round(lags[len(lags) // 2], 1),
        "p99_ms": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 1),
    }


class OutboxRelay:
    """`manage.py outbox_relay --seconds D --report` in a subprocess; stopped once the outbox is empty."""

    _REPORT = re.compile(r"outbox delays: (\d+) messages, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms")

    def __init__(self, environment: dict[str, str], seconds: float):
        self.environment, self.seconds = environment, seconds
        self.process: subprocess.Popen | None = None
        self._cpu_started = 0.0
        self._backends: dict[int, float] = {}

    def start(self, *, ready_timeout_s: float = 60) -> "OutboxRelay":
        """Start it and wait until it has relayed a warm-up message (Django set up, the task module imported),
        so the first receipts of the load do not wait for its start-up. The warm-up message is one of the
        report's messages (its largest delay; the p50 and p99 of a run's hundreds do not move for it)."""
        from ledger.models import OutboxMessage, Transaction

        command = [sys.executable, "manage.py", "outbox_relay", "--seconds", str(self.seconds), "--report"]
        self.process = subprocess.Popen(
            command, cwd=stack.REPO_ROOT, env=self.environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        subject = Transaction.objects.values_list("pk", flat=True).first()
        warm_up = OutboxMessage.objects.create(topic="transaction.receipts", subject_id=str(subject))
        deadline = time.monotonic() + ready_timeout_s
        while OutboxMessage.objects.filter(pk=warm_up.pk).exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the outbox relay did not start relaying")
            time.sleep(0.1)
        return self

    def load_started(self) -> None:
        """Note the relay's CPU and its PostgreSQL backend's: the backend whose last statement touched
        the outbox (the warm-up relay), not this process's own."""
        from django.db import connection

        self._cpu_started = stack.process_cpu_s(self.process.pid) or 0.0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND query ILIKE '%%ledger_outboxmessage%%'"
            )
            self._backends = {pid: stack.process_cpu_s(pid) or 0.0 for (pid,) in cursor.fetchall()}

    def load_cpu_s(self) -> tuple[float, float]:
        """CPU the relay and its PostgreSQL backend used since load_started() (start-up excluded)."""
        relay = (stack.process_cpu_s(self.process.pid) or self._cpu_started) - self._cpu_started
        backend = sum((stack.process_cpu_s(pid) or used) - used for pid, used in self._backends.items())
        return relay, backend

    def finish(self, *, drain_timeout_s: float = 30) -> dict:
        """Once the outbox is empty (the load's receipts relayed), stop the relay and read its report."""
        from ledger.models import OutboxMessage

        deadline = time.monotonic() + drain_timeout_s
        while OutboxMessage.objects.exists() and time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(0.1)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the relay ends between batches and prints its report
        output, _ = self.process.communicate(timeout=60)
        match = self._REPORT.search(output)
        if match is None:
            return {"messages": 0, "p50_ms": None, "p99_ms": None, "output": output.strip()[-500:]}
        messages = int(match.group(1)) - 1  # the warm-up message is not the load's
        return {"messages": messages, "p50_ms": float(match.group(2)), "p99_ms": float(match.group(3))}


def outbox_drain() -> int:
    """Relay what earlier runs and the seeding left in the outbox, so a mode's delays are its own."""
    from ledger.outbox import outbox_relay_batch

    drained = 0
    while batch := outbox_relay_batch():
        drained += len(batch)
    return drained
