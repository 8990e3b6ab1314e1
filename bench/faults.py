"""Private PostgreSQL and Redis servers the bank test may crash, and the faults it injects.

The shared servers on 5432/6379 serve everyone on the machine; the bank test restarts and stops
only these private ones, created under /tmp on their own ports.
"""

import os
import random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def _pg_bin(name: str) -> str:
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name) or name


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PrivatePostgres:
    port: int = 5499
    data_dir: Path = Path("/tmp/vaultpay-bank-pg")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/vaultpay_bank"

    def _ctl(self, *args: str) -> None:
        log = self.data_dir.parent / "vaultpay-bank-pg.log"
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=100"
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(log), "-o", options, "-w", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> "PrivatePostgres":
        if not (self.data_dir / "PG_VERSION").exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(self.data_dir, "postgres", "postgres")
            subprocess.run(
                _as_postgres([_pg_bin("initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust"]),
                check=True,
                capture_output=True,
            )
        running = subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data_dir), "status"]), capture_output=True
        )
        if running.returncode != 0:  # a cluster left running by an interrupted run is reused
            self._ctl("start")
        return self

    def restart_immediately(self) -> None:
        """Crash-restart: `-m immediate` aborts every backend without a checkpoint, then recovery runs."""
        self._ctl("-m", "immediate", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")


@dataclass
class PrivateRedis:
    port: int = 6499
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class FaultLog:
    events: list[tuple[float, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def record(self, started: float, kind: str, detail: str = "") -> None:
        self.events.append((time.monotonic() - started, f"{kind} {detail}".strip()))
        self.counts[kind] = self.counts.get(kind, 0) + 1


def kill_random_worker(worker_pids: list[int], rng: random.Random) -> int | None:
    """kill -9 one gunicorn worker; the master starts a new one."""
    if not worker_pids:
        return None
    pid = rng.choice(worker_pids)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return None
    return pid
