"""Command line of the embedded database, used by the Makefile.

    python -m vaultpay.embedded_db run -- CMD...   hold the server while CMD runs (make run)
    python -m vaultpay.embedded_db status          is it running, where is its data
    python -m vaultpay.embedded_db stop            stop it now, whoever started it
    python -m vaultpay.embedded_db reset [--force] delete its data (make reset-db)

With DATABASE_URL set, `run` runs CMD as it is and the other commands do nothing to that database.
"""

import argparse
import os
import signal
import subprocess
import sys

from vaultpay.embedded_db.errors import EmbeddedDatabaseError
from vaultpay.embedded_db.shared_server import (
    checkout_server,
    checkout_server_used,
    exclusive_lock,
    live_clients,
    say,
)


def _run_child(command: list[str]) -> int:
    """Run CMD in the foreground. Ctrl-C reaches it directly (same terminal); we wait for it to finish."""
    child = subprocess.Popen(command)  # noqa: S603
    signal.signal(signal.SIGINT, lambda *_: None)
    for forwarded in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(forwarded, lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal N: the shell's 128 + N


def command_run(command: list[str]) -> int:
    if os.environ.get("DATABASE_URL"):
        return _run_child(command)
    with checkout_server_used(announce_start=False) as server:
        say(f"embedded PostgreSQL running; its data lives in {server.data_dir}")
        say("reset it with `make reset-db` (asks first; FORCE=1 does not); Ctrl-C stops VaultPay and the database.")
        code = _run_child(command)
    say("embedded PostgreSQL stopped." if not live_clients() else "embedded PostgreSQL left running for others.")
    return code


def command_status() -> int:
    server = checkout_server()
    pid = server.running_pid()
    state = f"running (pid {pid})" if pid else "stopped"
    print(f"embedded PostgreSQL {state}; data in {server.data_dir}")
    return 0


def command_stop() -> int:
    stopped = checkout_server().stop()
    print("embedded PostgreSQL stopped." if stopped else "embedded PostgreSQL was not running.")
    return 0


def command_reset(*, force: bool) -> int:
    if os.environ.get("DATABASE_URL"):
        say("DATABASE_URL is set: reset-db only deletes the embedded database, and that database is not in use.")
        return 1
    server = checkout_server()
    if not server.data_dir.exists():
        print(f"nothing to reset: {server.data_dir} does not exist.")
        return 0
    if not force:
        if not sys.stdin.isatty():
            say("reset-db deletes every account, wallet and ledger entry of the embedded database; run with FORCE=1.")
            return 1
        answer = input(f"Delete {server.data_dir} and all VaultPay data in it? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept.")
            return 1
    with exclusive_lock():
        users = live_clients()
        if users:
            say(f"the embedded database is in use by pids {users}: stop them (Ctrl-C in `make run`) first.")
            return 1
        server.stop()
        server.data_delete()
    print(f"deleted {server.data_dir}; the next `make run` starts from an empty database.")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m vaultpay.embedded_db")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="hold the embedded server while a command runs")
    run.add_argument("child", nargs=argparse.REMAINDER)
    commands.add_parser("status")
    commands.add_parser("stop")
    reset = commands.add_parser("reset")
    reset.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            child = args.child[1:] if args.child[:1] == ["--"] else args.child
            return command_run(child)
        if args.command == "status":
            return command_status()
        if args.command == "stop":
            return command_stop()
        return command_reset(force=args.force)
    except EmbeddedDatabaseError as error:
        say(f"embedded PostgreSQL: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
