"""A throwaway PostgreSQL for a test session run without DATABASE_URL (loaded by pytest.ini's `-p`).

Its data directory is created in the system temp folder when the session starts and removed when it
ends; pytest-django creates its test database there. The server is started before pytest-django
imports the settings, which then simply see DATABASE_URL pointing at it, so the suite has one code
path whichever PostgreSQL it runs on. With DATABASE_URL set, this plugin does nothing.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from vaultpay.embedded_db.errors import EmbeddedDatabaseError
from vaultpay.embedded_db.server import EmbeddedPostgres

_server_key = pytest.StashKey[EmbeddedPostgres]()


def session_server_start() -> EmbeddedPostgres:
    session_dir = Path(tempfile.mkdtemp(prefix="vaultpay-pytest-"))
    # Traversable (not listable) by the server's own user when we run as root; the data stays 0700.
    session_dir.chmod(0o711)
    server = EmbeddedPostgres(session_dir / "data", durable=False)
    try:
        server.start()
    except EmbeddedDatabaseError:
        shutil.rmtree(session_dir, ignore_errors=True)
        raise
    return server


def session_server_remove(server: EmbeddedPostgres) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.data_dir.parent, ignore_errors=True)


# A wrapper runs before every plain implementation, so before pytest-django's (which loads settings).
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if not os.environ.get("DATABASE_URL"):
        try:
            server = session_server_start()
        except EmbeddedDatabaseError as error:
            raise pytest.UsageError(f"embedded PostgreSQL for the tests: {error}") from error
        early_config.stash[_server_key] = server
        os.environ["DATABASE_URL"] = server.database_url()
    return (yield)


def pytest_unconfigure(config):
    server = config.stash.get(_server_key, None)
    if server is not None:
        del config.stash[_server_key]
        os.environ.pop("DATABASE_URL", None)
        session_server_remove(server)
