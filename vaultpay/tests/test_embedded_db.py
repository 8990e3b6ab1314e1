"""The embedded PostgreSQL: it starts, it is shared and stopped by its last user, and each bad case
is one clear line that leaves the data as it was. Each test runs its own server in a temp folder."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psutil
import pytest

from vaultpay.embedded_db import shared_server
from vaultpay.embedded_db.errors import EmbeddedDatabaseError
from vaultpay.embedded_db.server import SOCKET_PORT, EmbeddedPostgres


@pytest.fixture
def work_dir():
    path = Path(tempfile.mkdtemp(prefix="vaultpay-embedded-test-"))
    path.chmod(0o711)  # the server's own user (under root) must reach its data directory
    servers: list[EmbeddedPostgres] = []
    yield path, servers
    for server in servers:
        server.stop()
    shutil.rmtree(path, ignore_errors=True)


def _server(work_dir, *, durable=False) -> EmbeddedPostgres:
    path, servers = work_dir
    server = EmbeddedPostgres(path / "data", durable=durable)
    servers.append(server)
    return server


def _query(server: EmbeddedPostgres, sql: str) -> str:
    command = [server.bin_dir / "psql", "-h", server.socket_dir, "-p", SOCKET_PORT, "-U", "postgres", "-d", "vaultpay"]
    return server.account.run(command + ["-tAc", sql], check=True).stdout.strip()


def test_a_started_server_keeps_its_data_across_a_restart_and_listens_on_no_tcp_port(work_dir):
    server = _server(work_dir)
    assert server.start() is True
    assert server.start() is False  # already running: reused, not started twice
    _query(server, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    assert _query(server, "SHOW listen_addresses") == ""
    assert server.stop() is True
    assert server.running_pid() is None

    server.start()
    assert _query(server, "SELECT n FROM kept") == "42"


def test_a_stale_pid_file_left_by_a_killed_server_is_recovered(work_dir):
    server = _server(work_dir, durable=True)  # committed rows must survive the kill
    server.start()
    _query(server, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
    postmaster = psutil.Process(server.running_pid())
    children = postmaster.children()
    postmaster.kill()
    psutil.wait_procs([postmaster, *children], timeout=20)  # the old shared memory must be let go
    # The pid file still names the dead postmaster; let a live, unrelated process own that pid.
    (server.data_dir / "postmaster.pid").write_text(f"{os.getpid()}\n{server.data_dir}\n")

    assert server.start() is True
    assert _query(server, "SELECT n FROM kept") == "7"


def test_data_made_by_another_major_version_is_refused_and_left_untouched(work_dir):
    server = _server(work_dir)
    server.data_dir.mkdir(mode=0o700)
    (server.data_dir / "PG_VERSION").write_text("16\n")
    (server.data_dir / "base").mkdir()
    (server.data_dir / "base" / "16384").write_text("someone's data")

    with pytest.raises(EmbeddedDatabaseError, match="made by PostgreSQL 16, this server is PostgreSQL 18") as error:
        server.start()

    assert "\n" not in str(error.value)
    assert (server.data_dir / "PG_VERSION").read_text() == "16\n"
    assert (server.data_dir / "base" / "16384").read_text() == "someone's data"
    assert server.running_pid() is None


def test_a_busy_socket_is_refused_in_one_line(work_dir):
    server = _server(work_dir)
    server.start()
    _query(server, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")
    server.stop()
    # Another live process of the server's user holds the socket's lock file.
    holder = subprocess.Popen(["sleep", "60"], **_as_server_user(server))  # noqa: S607
    try:
        (server.socket_dir / f".s.PGSQL.{SOCKET_PORT}.lock").write_text(f"{holder.pid}\n")
        with pytest.raises(EmbeddedDatabaseError, match="the socket is busy") as error:
            server.start()
        assert "\n" not in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    (server.socket_dir / f".s.PGSQL.{SOCKET_PORT}.lock").unlink()
    server.start()
    assert _query(server, "SELECT n FROM kept") == "1"


def _as_server_user(server: EmbeddedPostgres) -> dict:
    if not server.account.is_other_user:
        return {}
    return {"user": server.account.uid, "group": server.account.gid, "extra_groups": []}


def test_a_data_directory_the_server_cannot_write_is_refused(work_dir):
    server = _server(work_dir)
    server.start()
    server.stop()
    server.data_dir.chmod(0o500)
    try:
        with pytest.raises(EmbeddedDatabaseError, match="is not writable by the PostgreSQL server"):
            server.start()
    finally:
        server.data_dir.chmod(0o700)
    assert server.is_initialised()


def test_a_full_disk_is_named_as_such(work_dir):
    path, _ = work_dir
    small_disk = path / "small-disk"
    small_disk.mkdir()
    # A 4 MiB file system: far too small for a PostgreSQL data directory.
    mount = ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0711", "tmpfs", small_disk]
    mounted = subprocess.run(mount, capture_output=True)  # noqa: S603, S607
    if mounted.returncode != 0:
        pytest.skip("needs root to mount a 4 MiB tmpfs")
    try:
        server = EmbeddedPostgres(small_disk / "data", durable=False)
        with pytest.raises(EmbeddedDatabaseError, match="the disk is full") as error:
            server.start()
        assert "\n" not in str(error.value)
    finally:
        subprocess.run(["umount", small_disk], check=True)  # noqa: S603, S607


def test_the_checkout_server_stops_only_when_its_last_user_leaves(work_dir, monkeypatch):
    path, servers = work_dir
    monkeypatch.setattr(shared_server, "HOME_DIR", path / "home")

    with shared_server.checkout_server_used(announce_start=False) as outer:
        servers.append(outer)
        with shared_server.checkout_server_used(announce_start=False) as inner:
            assert inner.running_pid() == outer.running_pid() is not None
        assert outer.running_pid() is not None  # the outer user still holds it
    assert outer.running_pid() is None


def test_the_checkout_server_adopts_a_server_whose_users_were_killed(work_dir, monkeypatch):
    path, servers = work_dir
    monkeypatch.setattr(shared_server, "HOME_DIR", path / "home")
    left_behind = shared_server.checkout_server()
    servers.append(left_behind)
    left_behind.start()
    dead = subprocess.Popen(["true"])  # noqa: S607
    dead.wait()
    (path / "home" / "clients").mkdir(parents=True)
    (path / "home" / "clients" / str(dead.pid)).touch()

    with shared_server.checkout_server_used(announce_start=False) as server:
        assert server.running_pid() == left_behind.running_pid()
    assert left_behind.running_pid() is None
    assert os.listdir(path / "home" / "clients") == []
