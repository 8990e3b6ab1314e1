"""Where does a transfer request's time go? cProfile over N transfers on the full Django stack.

    python bench/profile_transfer.py [--transfers 300] [--top 30]

Runs in process through django.test.Client (middleware, JWT auth, view, the one money request,
rendering), with the same settings gunicorn uses, and prints the wall time split between Python and
waiting on PostgreSQL, the functions with the most cumulative and own time, then the CPU of each
step (JWT, validation, the round trip, the response) with no profiler running.
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
    stack.database_analyze()
    stack.redis_flush(args.redis_url)
    _warm_up(users)

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
    print(f"{len(requests)} transfers in {elapsed:.2f} s under cProfile: {1000 * elapsed / len(requests):.2f} ms each")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    print_steps(requests, users[0].token)
    stack.redis_flush(args.redis_url)
    return 0


def _warm_up(users) -> None:
    """One transfer from each user first: the process learns their PIN salts (one extra round trip
    each, once) and imports what the first request needs, neither of which a steady server repeats."""
    from django.test import Client

    client, rng = Client(), random.Random(0)
    for sender, recipient in zip(users, users[1:] + users[:1], strict=True):
        headers, body = transfer_request(sender, recipient, rng)
        headers.pop("Content-Type")
        response = client.post(TRANSFER_PATH, body, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content


# A transfer request, step by step, each timed where it is called: (label, module, attribute). Names
# imported into a module are patched where they are used. Indented steps are part of the one above.
MONEY_PATH_STEPS = (
    ("JWT authentication (token check + user query)", "rest_framework_simplejwt.authentication",
     "JWTAuthentication.authenticate"),
    ("  of which the user query", "rest_framework_simplejwt.authentication", "JWTAuthentication.get_user"),
    ("input validation (serializer, Money.parse)", "ledger.serializers", "TransferInputSerializer.is_valid"),
    ("idempotency fingerprint", "ledger.views", "idempotency_request_build"),
    ("the money request: one round trip (ledger_money_request)", "ledger.services.money_movement", "_call"),
    ("  of which IP hash + PIN HMAC", "ledger.services.money_movement", "money_gate_arguments"),
    ("  of which limit tiers", "ledger.services.money_movement", "tier_limits_for_posting"),
    ("  of which the audit payload", "ledger.services.money_movement", "posting_audit"),
    ("the transaction built from the returned row", "ledger.services.money_movement", "_posted"),
    ("response: output serializer", "ledger.serializers", "TransactionOutputSerializer.to_representation"),
    ("response: JSON rendering", "rest_framework.renderers", "JSONRenderer.render"),
)  # fmt: skip


def _timed(function, totals: dict, label: str):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.process_time() - started

    return wrapper


def _patch(totals: dict) -> list:
    """Wrap every step in a CPU timer; returns what undoes it (inherited methods are removed again)."""
    import importlib

    undo = []
    for label, module_name, attribute in MONEY_PATH_STEPS:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        undo.append((owner, name, vars(owner).get(name)))
        setattr(owner, name, _timed(getattr(owner, name), totals, label))
    return undo


def _unpatch(undo: list) -> None:
    for owner, name, original in reversed(undo):
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def _floor_cpu_ms(token: str, n: int) -> float:
    """CPU per GET /users/me in process: JWT, one query, DRF and the middleware, for scale."""
    from django.test import Client

    client = Client()
    started = time.process_time()
    for _ in range(n):
        response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.content
    return 1000 * (time.process_time() - started) / n


def print_steps(requests, token: str) -> None:
    """CPU time per transfer in each step: each step wrapped in a process-time timer, no profiler.

    The whole request is timed the same way; what no step claims is Django's request handling,
    the middleware, DRF's dispatch, permissions and parsing.
    """
    from collections import defaultdict

    from django.test import Client

    totals: dict[str, float] = defaultdict(float)
    undo = _patch(totals)
    client = Client()
    started = time.process_time()
    try:
        for headers, body in requests:
            fresh = {**headers, "Idempotency-Key": uuid.uuid4().hex}  # a new transfer, not a replay
            response = client.post(TRANSFER_PATH, body, content_type="application/json", headers=fresh)
            assert response.status_code == 201, response.content
    finally:
        _unpatch(undo)
    whole = time.process_time() - started
    n = len(requests)
    print(f"\nCPU per transfer by step ({n} transfers, one client, in process, no profiler)\n")
    print("| step | CPU ms per transfer |\n|---|---:|")
    print(f"| whole request | {1000 * whole / n:.2f} |")
    for label, _, _ in MONEY_PATH_STEPS:
        print(f"| {label} | {1000 * totals[label] / n:.2f} |")
    top = [label for label, _, _ in MONEY_PATH_STEPS if not label.startswith("  ")]
    rest = whole - sum(totals[t] for t in top)
    print(f"| rest: Django request handling, middleware, DRF dispatch, parsing | {1000 * rest / n:.2f} |")
    print(f"| for scale: GET /users/me, whole request | {_floor_cpu_ms(token, n):.2f} |")


if __name__ == "__main__":
    sys.exit(main())
