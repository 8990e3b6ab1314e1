"""Where does a transfer request's time go? cProfile over N transfers on the full Django stack.

    python bench/profile_transfer.py [--transfers 300] [--top 30]

Runs in process through django.test.Client (middleware, JWT auth, view, services, SQL), with the
same settings gunicorn uses, and prints the functions with the most cumulative and own time,
plus the wall time split between Python and waiting on PostgreSQL.
"""

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack  # noqa: E402
from bench.seed import users_create, users_fund, users_prepare  # noqa: E402
from bench.transfers import TRANSFER_PATH, transfer_request  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=stack.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=stack.DEFAULT_REDIS_URL)
    parser.add_argument("--transfers", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)

    environment = stack.bench_environment(database_url=args.database_url, redis_url=args.redis_url)
    stack.createdb_if_missing(args.database_url)
    stack.django_setup(environment)
    stack.database_prepare()
    users = users_create(count=50, prefix=f"profile-{uuid.uuid4().hex[:8]}")
    users_fund(users, amount_minor=10_000_000)
    print(users_prepare(users))
    stack.redis_flush(args.redis_url)

    from django.test import Client

    client, rng = Client(), random.Random(1)
    requests = []
    for _ in range(args.transfers):
        sender, recipient = rng.sample(users, 2)
        headers, body = transfer_request(sender, recipient, rng)
        requests.append(({k: v for k, v in headers.items() if k != "Content-Type"}, body))

    def send(headers, body):
        response = client.post(TRANSFER_PATH, body, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content

    split = stack.python_vs_database(send, requests[: len(requests) // 2])
    print(
        f"without the profiler: {split['total_ms']:.2f} ms per transfer, one client: "
        f"{split['database_ms']:.2f} ms waiting on PostgreSQL ({split['statements']:.1f} statements incl. COMMIT, "
        f"COMMIT alone {split['commit_ms']:.2f} ms), "
        f"{split['total_ms'] - split['database_ms']:.2f} ms in Python"
    )
    requests = requests[len(requests) // 2 :]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for headers, body in requests:
        response = client.post(TRANSFER_PATH, body, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.transfers} transfers in {elapsed:.2f} s: {1000 * elapsed / args.transfers:.2f} ms each, one client")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    print_steps(requests)
    return 0


# The steps of the money path, each timed where it is called: (label, module, attribute).
MONEY_PATH_STEPS = (
    ("JWT authentication", "rest_framework_simplejwt.authentication", "JWTAuthentication.authenticate"),
    ("IP trust + PIN (one read for both)", "ledger.views", "money_movement_authorize"),
    ("idempotency claim (advisory lock, lookup)", "ledger.services.money_movement", "idempotency_claim"),
    (
        "both wallets found and locked (1 statement)",
        "ledger.services.money_movement",
        "wallets_lock_sender_and_recipient",
    ),
    ("posting: balances, transaction, entries, limit, audit", "ledger.services.money_movement", "ledger_post"),
    (
        "  of which spending-limit check (the wallet's counters, no statement)",
        "ledger.services.posting",
        "ledger_limits_apply",
    ),
    ("  of which hash-chained audit row (3 statements)", "ledger.services.posting", "audit_record"),
    ("idempotency record", "ledger.services.money_movement", "idempotency_complete"),
    ("receipt dispatch on commit (Celery publish to Redis)", "celery.app.task", "Task.apply_async"),
)


def _timed(function, totals: dict, label: str):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.process_time() - started

    return wrapper


def print_steps(requests) -> None:
    """CPU time per transfer in each step of the money path: each step wrapped in a process-time timer.

    No profiler runs, so the numbers are what the steps cost at full speed; the whole request is
    timed the same way, and what no step claims is Django, DRF, middleware and serialisation.
    """
    import importlib
    from collections import defaultdict

    from django.test import Client

    totals: dict[str, float] = defaultdict(float)
    originals = []
    for label, module_name, attribute in MONEY_PATH_STEPS:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        originals.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, _timed(owner.__dict__[name], totals, label))
    client = Client()
    started = time.process_time()
    try:
        for headers, body in requests:
            fresh = {**headers, "Idempotency-Key": uuid.uuid4().hex}  # a new transfer, not a replay
            response = client.post(TRANSFER_PATH, body, content_type="application/json", headers=fresh)
            assert response.status_code == 201, response.content
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    whole = time.process_time() - started
    n = len(requests)
    print(f"\nCPU per transfer by step ({n} transfers, one client, in process, no profiler)\n")
    print("| step | CPU ms per transfer |\n|---|---:|")
    print(f"| whole request | {1000 * whole / n:.2f} |")
    for label, _, _ in MONEY_PATH_STEPS:
        print(f"| {label} | {1000 * totals[label] / n:.2f} |")
    top = [label for label, _, _ in MONEY_PATH_STEPS if not label.startswith("  ")]
    rest = whole - sum(totals[t] for t in top)
    print(f"| rest: Django, DRF, middleware, validation, COMMIT, response | {1000 * rest / n:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
