"""The fixed yardstick: the naive Django + DRF + simplejwt transfer in `shared/bench/naive_django`.

It is driven exactly as its README says and never edited or copied: its own database (created,
migrated), `seed.py N` for N funded users and their tokens, gunicorn started from its folder with
the server shape of VaultPay's run, `POST /transfer` with an integer wallet id. Every command runs
with the folder as its working directory, without VaultPay's settings in the environment.
"""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from bench import stack
from bench.loadgen import ConnectionDropped, HttpConnection, LoadStats, json_body

BASELINE_PATH = "/transfer"
DEFAULT_BASELINE_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vp_peer_naive"


def baseline_dir() -> Path:
    """NAIVE_DJANGO_DIR, else the first `shared/bench/naive_django` beside a parent of the repository."""
    if os.environ.get("NAIVE_DJANGO_DIR"):
        return Path(os.environ["NAIVE_DJANGO_DIR"])
    for parent in stack.REPO_ROOT.parents:
        candidate = parent / "shared" / "bench" / "naive_django"
        if (candidate / "seed.py").exists():
            return candidate
    raise FileNotFoundError("the naive baseline (shared/bench/naive_django) was not found; set NAIVE_DJANGO_DIR")


def baseline_environment(database_url: str) -> dict[str, str]:
    """The process environment minus VaultPay's settings, plus the baseline's own database variables."""
    url = urlparse(database_url)
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DATABASE_URL")
    }
    environment.update(
        NAIVE_DB=url.path.lstrip("/"),
        NAIVE_PG_HOST=url.hostname or "127.0.0.1",
        NAIVE_PG_PORT=str(url.port or 5432),
        PYTHONDONTWRITEBYTECODE="1",  # the folder is read-only for the project
    )
    return environment


def baseline_seed(*, database_url: str, users: int) -> list[tuple[str, int]]:
    """Create and migrate the baseline's database, seed `users` funded users; returns (token, wallet id) pairs."""
    stack.createdb_if_missing(database_url)
    folder, environment = baseline_dir(), baseline_environment(database_url)
    run = dict(cwd=folder, env=environment, check=True, capture_output=True, text=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], **run)
    seeded = subprocess.run([sys.executable, "seed.py", str(users)], **run)
    return [(token, int(wallet_id)) for token, wallet_id in json.loads(seeded.stdout)]


def baseline_server(*, database_url: str, port: int, workers: int, worker_class: str, threads: int) -> stack.Gunicorn:
    return stack.Gunicorn(
        port=port,
        environment=baseline_environment(database_url),
        workers=workers,
        worker_class=worker_class,
        threads=threads,
        app="naive.wsgi",
        cwd=baseline_dir(),
        ready_path="/me",
        ready_status=401,
        log_path=Path("/tmp/vaultpay-bench-baseline-gunicorn.log"),
    )


def baseline_loop(pairs: list[tuple[str, int]]):
    """Uniform random pairs, as VaultPay's uniform mode: amounts 0.01-1.00 USD."""

    async def loop(index: int, connection: HttpConnection, stats: LoadStats, deadline: float) -> None:
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            (token, _), (_, to_wallet) = rng.sample(pairs, 2)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            body = json_body({"to_wallet": to_wallet, "amount": f"{rng.randint(1, 100) / 100:.2f}", "currency": "USD"})
            started = time.perf_counter()
            try:
                response = await connection.request("POST", BASELINE_PATH, headers, body)
            except ConnectionDropped:
                stats.record("dropped", started)
                continue
            stats.record(response.status, started)

    return loop
