"""History and reconcile at scale: 1,000,000 ledger entries.

    python bench/history.py [--entries 1000000] [--wallets 1000] [--samples 300]

Loads balanced transfers with COPY (bench/seed.py: every transaction balanced, balance_after
running, cached balances updated, the deferred balance trigger on) until the ledger holds the
requested number of entries, with one "probe" wallet taking part in a tenth of them. Then, through
gunicorn, one client reads the probe user's history: the first page, a deep page by offset, and
the same depth by cursor; and `manage.py reconcile` is timed over the whole ledger.
"""

import argparse
import asyncio
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack  # noqa: E402
from bench.loadgen import HttpConnection, LoadStats  # noqa: E402
from bench.seed import Posting, ledger_bulk_post, users_create, users_fund  # noqa: E402

HISTORY_PATH = "/api/v1/transactions"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=stack.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=stack.DEFAULT_REDIS_URL)
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--entries", type=int, default=1_000_000, help="total entries the ledger should hold")
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--probe-share", type=float, default=0.1, help="share of transfers touching the probe")
    parser.add_argument("--samples", type=int, default=300, help="requests per measured page")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args(argv)


def entry_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_entry")
        return cursor.fetchone()[0]


def load(args) -> tuple[int, float]:
    """Add random transfers among fresh users until the ledger holds args.entries; return (added, seconds)."""
    missing_transfers = max(0, (args.entries - entry_count()) // 2)
    if not missing_transfers:
        return 0, 0.0
    started = time.perf_counter()
    users = users_create(count=args.wallets, prefix=f"history-{uuid.uuid4().hex[:8]}")
    users_fund(users, amount_minor=100_000_000)
    probe, others = users[0].wallet_id, [u.wallet_id for u in users[1:]]
    rng = random.Random(42)

    def postings():
        for _ in range(missing_transfers):
            if rng.random() < args.probe_share:
                other = rng.choice(others)
                pair = (probe, other) if rng.random() < 0.5 else (other, probe)
            else:
                pair = tuple(rng.sample(others, 2))
            yield Posting(pair[0], pair[1], rng.randint(1, 100), description="history bench")

    written = ledger_bulk_post(postings())
    stack.database_analyze()
    return written, time.perf_counter() - started


def busiest_user_wallet() -> tuple[int, int, int]:
    """(owner id, wallet id, entries) of the user wallet with the longest history."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.owner_id, e.wallet_id, count(*) FROM ledger_entry e JOIN wallets_wallet w ON w.id = e.wallet_id"
            " WHERE w.kind = 'user' GROUP BY w.owner_id, e.wallet_id ORDER BY 3 DESC LIMIT 1"
        )
        return cursor.fetchone()


def vacuum_analyze() -> None:
    """Steady state: autovacuum would get there on its own; a bulk load outruns it."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("ledger_entry", "ledger_transaction", "wallets_wallet"):
            cursor.execute(f"VACUUM ANALYZE {table}")


async def _measure(port: int, token: str, path: str, samples: int) -> tuple[LoadStats, dict]:
    connection = HttpConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}"}
    stats, last = LoadStats(), {}
    for _ in range(samples):
        started = time.perf_counter()
        response = await connection.request("GET", path, headers)
        stats.record(response.status, started)
        last = response.json()
    connection.close()
    return stats, last


def measure(port: int, token: str, path: str, samples: int) -> tuple[dict, dict]:
    asyncio.run(_measure(port, token, path, 10))  # warm the worker and the caches
    stats, body = asyncio.run(_measure(port, token, path, samples))
    row = {
        "page": path,
        "p50_ms": round(stats.percentile(0.5), 2),
        "p99_ms": round(stats.percentile(0.99), 2),
        "statuses": dict(stats.statuses),
    }
    return row, body


def deep_cursor_path(port: int, token: str, depth: int) -> str | None:
    """Follow `next` links 100 rows at a time to `depth`; None when the endpoint has no cursor."""
    path = f"{HISTORY_PATH}?cursor=&limit=100"
    for _ in range(depth // 100):
        _, body = asyncio.run(_measure(port, token, path, 1))
        following = (body or {}).get("next")
        if not following or "cursor=" not in following:
            return None
        path = following[following.index("/api/") :]
    return path.replace("limit=100", "limit=10")


def in_process_split(token: str, path: str, samples: int = 200) -> dict:
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {token}"}

    def get():
        assert client.get(path, headers=headers).status_code == 200

    get()
    return stack.python_vs_database(get, [()] * samples)


def main(argv=None) -> int:
    args = parse_args(argv)
    environment = stack.bench_environment(database_url=args.database_url, redis_url=args.redis_url)
    stack.createdb_if_missing(args.database_url)
    stack.django_setup(environment)
    stack.database_prepare()
    from accounts.models import User
    from accounts.services.sessions import access_token_for

    written, load_s = load(args)
    total = entry_count()
    print(f"loaded {written} transfers ({2 * written} entries) in {load_s:.1f} s; ledger holds {total} entries")
    vacuum_analyze()
    probe_user_id, _, probe_entries = busiest_user_wallet()
    token = access_token_for(User.objects.get(pk=probe_user_id))
    depth = max(10, int(probe_entries * 0.9) // 100 * 100)
    from django.db import connection

    connection.close()
    rows = []
    with stack.Gunicorn(port=args.port, environment=environment, workers=args.workers):
        rows.append(measure(args.port, token, f"{HISTORY_PATH}?limit=10", args.samples)[0])
        rows.append(measure(args.port, token, f"{HISTORY_PATH}?cursor=&limit=10", args.samples)[0])
        rows.append(measure(args.port, token, f"{HISTORY_PATH}?limit=10&offset={depth}", args.samples)[0])
        cursor_path = deep_cursor_path(args.port, token, depth)
        if cursor_path:
            rows.append(measure(args.port, token, cursor_path, args.samples)[0] | {"page": f"cursor at {depth}"})
    split = in_process_split(token, cursor_path or f"{HISTORY_PATH}?cursor=&limit=10")
    clean, seconds, report = stack.reconcile_timed()

    print(f"\nhistory of a wallet with {probe_entries} entries, ledger of {total}; {args.samples} requests per page")
    print("\n| page | p50 ms | p99 ms | responses |\n|---|---:|---:|---|")
    for row in rows:
        print(f"| {row['page']} | {row['p50_ms']} | {row['p99_ms']} | {row['statuses']} |")
    print(
        f"in process, cursor page: {split['total_ms']:.2f} ms per request, {split['database_ms']:.2f} ms of it "
        f"waiting on PostgreSQL ({split['statements']:.1f} statements), the rest Python (Django, DRF, JWT)"
    )
    print(f"\nreconcile over {total} entries: {'clean' if clean else 'FAILED'} in {seconds:.2f} s (target < 10 s)")
    print(report)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
