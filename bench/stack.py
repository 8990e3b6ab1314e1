"""The production-like stack a benchmark runs against: settings, migrations, gunicorn, pgbench.

Every benchmark configures Django in its own process too (DJANGO_SETTINGS_MODULE=bench.settings)
so it can seed users and read the ledger through the ORM while gunicorn serves HTTP.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vaultpay_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"
# Only so the stack starts with DEBUG off and without the development-key warning; never a real key.
BENCH_SECRET_KEY = "bench-only-" + "k" * 60
# A real secret key makes the settings production-like, and production refuses to start without the
# PIN pepper and the IP-hash key: bench-only values, shared by gunicorn and the seeding process (the
# PIN hashes and trusted-IP hashes the seed writes must match what gunicorn computes).
BENCH_PIN_PEPPER = "bench-only-pin-pepper-" + "p" * 40
BENCH_IP_HASH_KEY = "bench-only-ip-hash-key-" + "i" * 40
BENCH_AUDIT_CHAIN_KEY = "bench-only-audit-chain-key-" + "a" * 40
BENCH_KYC_MASTER_KEYS = "bench-only:" + "YmVuY2gtb25seS1reWMtbWFzdGVyLWtleS0wMDAwMDA="
BENCH_KYC_FINGERPRINT_PEPPER = "bench-only-kyc-pepper-" + "k" * 40


def bench_environment(*, database_url: str, redis_url: str) -> dict[str, str]:
    """The environment gunicorn and the benchmark process share: production settings, DEBUG off."""
    environment = dict(os.environ)
    environment.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=environment.get("DJANGO_SECRET_KEY") or BENCH_SECRET_KEY,
        PIN_PEPPER=environment.get("PIN_PEPPER") or BENCH_PIN_PEPPER,
        IP_HASH_KEY=environment.get("IP_HASH_KEY") or BENCH_IP_HASH_KEY,
        AUDIT_CHAIN_KEY=environment.get("AUDIT_CHAIN_KEY") or BENCH_AUDIT_CHAIN_KEY,
        KYC_MASTER_KEYS=environment.get("KYC_MASTER_KEYS") or BENCH_KYC_MASTER_KEYS,
        KYC_FINGERPRINT_PEPPER=environment.get("KYC_FINGERPRINT_PEPPER") or BENCH_KYC_FINGERPRINT_PEPPER,
        RATELIMIT_ENABLE=environment.get("RATELIMIT_ENABLE", "false"),
        JWT_ACCESS_MINUTES=environment.get("JWT_ACCESS_MINUTES", "240"),
        LOG_LEVEL=environment.get("LOG_LEVEL", "WARNING"),
        PYTHONPATH=str(REPO_ROOT),
    )
    return environment


def django_setup(environment: dict[str, str]) -> None:
    """Configure Django in this process with the same settings gunicorn uses."""
    os.environ.update(environment)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def redis_flush(redis_url: str) -> int:
    """Empty the benchmark's own Redis database; returns how many receipt tasks were queued in it.

    The outbox relay that runs beside the load publishes a receipt task per committed posting to
    REDIS_URL's database. Benchmarks run no worker, so the queue only grows; the relay is part of what
    is measured, the backlog from an earlier run is not, and it would hold memory on a shared Redis.
    """
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        queued = client.llen("celery")
        client.flushdb()
        return int(queued)
    finally:
        client.close()


def audit_verify_timed() -> tuple[bool, float, str]:
    """Run `manage.py verify_audit` in process: the hash chain must survive the load (and COPY seeding)."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    output = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("verify_audit", stdout=output)
        return True, time.perf_counter() - started, output.getvalue().strip()
    except CommandError as exc:
        return False, time.perf_counter() - started, str(exc)


def database_prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("create_system_wallets", verbosity=0)


def database_analyze() -> None:
    """ANALYZE the benchmark database after seeding, as autovacuum would on a production server.

    Bulk seeding (COPY) leaves the planner's statistics describing empty tables, and the shared
    development server runs with autovacuum off: without this, the new-recipient check plans a
    sequential scan of every transaction (measured: 7.6 ms of a 16 ms money request at 3,000
    transfers, growing with the ledger) where the payee index answers in well under 1 ms.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def createdb_if_missing(database_url: str) -> None:
    """Create the benchmark's own database on the shared server if it is not there yet."""
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


@dataclass
class Gunicorn:
    """A gunicorn master serving a WSGI app (VaultPay unless told otherwise) on 127.0.0.1:port."""

    port: int
    environment: dict[str, str]
    workers: int = 4
    worker_class: str = "sync"
    threads: int = 1
    app: str = "vaultpay.wsgi:application"
    cwd: Path = REPO_ROOT
    # Up once this path answers with this status (the naive baseline has no health check: 401 on /me).
    ready_path: str = "/healthz"
    ready_status: int = 200
    log_path: Path = field(default_factory=lambda: Path("/tmp/vaultpay-bench-gunicorn.log"))
    process: subprocess.Popen | None = None

    @property
    def label(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"{self.workers} {self.worker_class} workers{threads}"

    def start(self) -> "Gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", self.app,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--threads", str(self.threads),
            "--backlog", "2048",
            "--timeout", "30",
            "--graceful-timeout", "5",
            "--keep-alive", "5",
            "--log-level", "warning",
        ]  # fmt: skip
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=self.cwd, env=self.environment, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{self.ready_path}", timeout=2) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError):
                status = None
            if status == self.ready_status and len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on port {self.port} did not become ready; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def pgbench_tps(*, database_url: str, scale: int, clients: int, duration_s: int) -> dict:
    """pgbench's built-in TPC-B-like script against the same server, in a scratch database."""
    createdb_if_missing(database_url)
    probe = subprocess.run(
        ["psql", database_url, "-tAc", "SELECT count(*) FROM pgbench_branches"], capture_output=True, text=True
    )
    if probe.returncode != 0 or probe.stdout.strip() != str(scale):
        subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), database_url], check=True, capture_output=True)
    meter = CpuMeter(lambda: backend_pids(database_url)).start()
    run = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(duration_s), database_url],
        check=True,
        capture_output=True,
        text=True,
    )
    server_cpu_s = meter.stop()
    tps = float(re.search(r"tps = ([0-9.]+)", run.stdout).group(1))
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", run.stdout).group(1))
    latency = re.search(r"latency average = ([0-9.]+) ms", run.stdout)
    return {
        "tps": tps,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
        "clients": clients,
        "server_cpu_ms_per_tx": round(1000 * server_cpu_s / max(transactions, 1), 3),
    }


def reconcile_timed() -> tuple[bool, float, str]:
    """Run `manage.py reconcile` in process; return (clean, seconds, its report)."""
    import io

    from django.core.management import call_command

    output = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("reconcile", stdout=output)
        clean = True
    except SystemExit as exc:
        clean = exc.code in (0, None)
    return clean, time.perf_counter() - started, output.getvalue().strip()


def deadlocks(database_url: str) -> int:
    """PostgreSQL's own count of deadlocks detected in one database."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        row = connection.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(row.fetchone()[0])


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def backend_pids(database_url: str) -> list[int]:
    """PostgreSQL server processes serving one database (not this sampler's own)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


class CpuMeter:
    """CPU seconds used by a changing set of processes between start() and stop().

    On a machine shared with other work, throughput swings with everyone else's load, but the CPU
    each transfer costs does not: dividing by it gives what the stack would do on idle cores.
    """

    def __init__(self, pids_fn, interval_s: float = 0.25):
        self.pids_fn, self.interval_s = pids_fn, interval_s
        self.baseline: dict[int, float] = {}
        self.latest: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, *, first: bool = False) -> None:
        for pid in self.pids_fn():
            used = process_cpu_s(pid)
            if used is None:
                continue
            if pid not in self.baseline:
                self.baseline[pid] = used if first else 0.0
            self.latest[pid] = used

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def start(self) -> "CpuMeter":
        self._sample(first=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(self.latest[pid] - self.baseline[pid] for pid in self.latest)


def python_vs_database(call, arguments: list[tuple]) -> dict:
    """Wall time per call(*args) in this process, and the part spent waiting on the database.

    Statements are timed through Django's execute_wrapper and COMMIT through the connection, so
    "database" includes round trips, server work and the WAL flush; the rest is Python.
    """
    from django.db import connection

    waited, committed = [0.0, 0], [0.0]
    commit = connection._commit

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - started
            waited[1] += 1

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            committed[0] += time.perf_counter() - started

    connection._commit = timed_commit
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(timed):
            for args in arguments:
                call(*args)
    finally:
        connection._commit = commit
    n = len(arguments)
    return {
        "total_ms": 1000 * (time.perf_counter() - started) / n,
        "database_ms": 1000 * (waited[0] + committed[0]) / n,
        "commit_ms": 1000 * committed[0] / n,
        "statements": waited[1] / n,
    }
