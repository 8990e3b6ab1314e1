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
from bench.seed import pins_set, users_create, users_fund  # noqa: E402
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
    pins_set(users)

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
