"""The checkout's embedded server, shared by every VaultPay process that needs it.

Each process that uses the server (`make run`, `manage.py shell`, a second terminal's `reconcile`)
registers its pid in `clients/` while it runs. The first one starts the server; the last one to
leave stops it. A client killed without cleaning up leaves a pid that is no longer alive: it is
pruned, and a server it left running is simply adopted by the next client. A file lock makes the
check-and-start and the leave-and-stop atomic between processes.
"""

import fcntl
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from vaultpay.embedded_db.server import EmbeddedPostgres

CHECKOUT_DIR = Path(__file__).resolve().parent.parent.parent
# Git-ignored (.gitignore: /.vaultpay/).
HOME_DIR = CHECKOUT_DIR / ".vaultpay" / "postgres"


def checkout_server() -> EmbeddedPostgres:
    return EmbeddedPostgres(HOME_DIR / "data")


def say(message: str) -> None:
    """Status lines go to stderr, so `manage.py shell -c ...` output stays clean."""
    print(f"vaultpay: {message}", file=sys.stderr, flush=True)


@contextmanager
def exclusive_lock() -> Iterator[None]:
    HOME_DIR.mkdir(parents=True, exist_ok=True)
    with open(HOME_DIR / "lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _clients_dir() -> Path:
    path = HOME_DIR / "clients"
    path.mkdir(parents=True, exist_ok=True)
    return path


def live_clients() -> list[int]:
    """Pids of the processes using the server now; entries of dead processes are removed."""
    alive = []
    for entry in _clients_dir().iterdir():
        owner = entry.name.split(".", 1)[0]
        pid = int(owner) if owner.isdigit() else None
        if pid is None or not psutil.pid_exists(pid):
            entry.unlink(missing_ok=True)
        else:
            alive.append(pid)
    return alive


@contextmanager
def checkout_server_used(*, announce_start: bool = True) -> Iterator[EmbeddedPostgres]:
    """Use the checkout's server for the duration of the block: start it if needed, stop it if last out."""
    server = checkout_server()
    with exclusive_lock():
        live_clients()
        # One entry per use, named after the process, so a process can hold the server twice.
        entry = _clients_dir() / f"{os.getpid()}.{uuid.uuid4().hex[:12]}"
        entry.touch()
        try:
            started = server.start()
        except BaseException:
            entry.unlink(missing_ok=True)
            raise
    if started and announce_start:
        say(f"started the embedded PostgreSQL (data in {server.data_dir}); it stops when the last user exits.")
    try:
        yield server
    finally:
        with exclusive_lock():
            entry.unlink(missing_ok=True)
            if not live_clients():
                server.stop()
