"""The bank test: money is neither created nor destroyed, whatever fails.

    python bench/bank.py [--duration 300] [--faults kill-workers,pg-restart,redis-stop] [--private-services]

16 clients send transfers through gunicorn for T seconds: half among 8 wallets (contention), half
among 1,000 (spread). Some requests are sent again with the same Idempotency-Key, some connections
are dropped right after the request is sent, and every request without a definite answer (dropped,
503, 409 in progress) is retried with the same key until it has one. A reader sums the balances
every 100 ms. Faults: kill -9 of a gunicorn worker every 5 s, one immediate PostgreSQL restart, Redis
stopped for 30 s; the last two only on private servers (--private-services), never the shared ones.

Checked at the end: every sum read equals the initial total; no negative balance; no key posted
twice; every acknowledged transfer is in the ledger exactly once and no refused one is; the final
balances equal the initial ones plus the acknowledged transfers; reconcile is clean; no 500.
"""

import argparse
import asyncio
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack  # noqa: E402
from bench.background import Sequencer  # noqa: E402
from bench.faults import FaultLog, PrivatePostgres, PrivateRedis, kill_random_worker  # noqa: E402
from bench.loadgen import ConnectionDropped, HttpConnection, json_body  # noqa: E402
from bench.seed import BENCH_PIN, BenchUser, users_create, users_fund, users_prepare  # noqa: E402

TRANSFER_PATH = "/api/v1/transactions/transfer"
INITIAL_BALANCE = 100_000  # minor units per wallet
# Answers that say nothing about whether the transfer happened: send the same request again.
NOT_DEFINITE = {"dropped", 502, 503, "idempotency_request_in_progress"}


@dataclass
class KeyOutcome:
    sender: BenchUser
    recipient: BenchUser
    amount: int
    transaction_ids: set[str] = field(default_factory=set)
    final: str = "unknown"  # posted, refused or unknown


@dataclass
class Run:
    users: list[BenchUser]
    deadline: float
    drop_share: float
    retry_share: float
    keys: dict[str, KeyOutcome] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    replays: Counter = field(default_factory=Counter)
    anomalies: list[str] = field(default_factory=list)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vaultpay_bench_bank")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--private-services", action="store_true", help="PostgreSQL on 5499 and Redis on 6499")
    parser.add_argument("--port", type=int, default=8621)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--faults", default="kill-workers,pg-restart,redis-stop")
    parser.add_argument("--redis-down-seconds", type=float, default=30)
    parser.add_argument("--retry-share", type=float, default=0.1, help="requests sent twice with the same key")
    parser.add_argument("--drop-share", type=float, default=0.05, help="connections dropped after sending")
    return parser.parse_args(argv)


def transfer_body(outcome: KeyOutcome, key: str) -> bytes:
    amount = f"{outcome.amount // 100}.{outcome.amount % 100:02d}"
    payload = {"to_wallet": outcome.recipient.public_id, "amount": amount, "currency": "USD", "pin": BENCH_PIN}
    return json_body(payload | {"description": f"bank-{key}"})


def classify(response) -> str | int:
    if response.status == 409:
        code = ((response.json() or {}).get("error") or {}).get("code", "")
        return code or 409
    return response.status


async def send(run: Run, connection: HttpConnection, key: str, outcome: KeyOutcome, *, drop: bool) -> str | int:
    headers = {"Authorization": f"Bearer {outcome.sender.token}", "Content-Type": "application/json"}
    headers["Idempotency-Key"] = key
    body = transfer_body(outcome, key)
    if drop:
        try:
            partial = random.random() < 0.5
            await connection.send_and_drop("POST", TRANSFER_PATH, headers, body, partial=partial)
        except (ConnectionError, OSError):
            connection.close()
            partial = False
        run.statuses["dropped by client mid-body" if partial else "dropped by client after sending"] += 1
        return "dropped"
    try:
        response = await connection.request("POST", TRANSFER_PATH, headers, body)
    except ConnectionDropped:
        run.statuses["connection lost"] += 1
        return "dropped"
    result = classify(response)
    run.statuses[response.status if response.status != 409 else f"409 {result}"] += 1
    if response.status == 201:
        outcome.transaction_ids.add(response.json()["id"])
        if response.headers.get("idempotent-replayed") == "true":
            run.replays["replayed"] += 1
    return result


async def settle(run: Run, connection: HttpConnection, key: str, outcome: KeyOutcome, rng, *, until: float):
    """Send (and maybe drop, maybe repeat) one transfer until it has a definite answer or time runs out."""
    result = await send(run, connection, key, outcome, drop=rng.random() < run.drop_share)
    while result in NOT_DEFINITE and time.monotonic() < until:
        await asyncio.sleep(rng.uniform(0.05, 0.3))
        result = await send(run, connection, key, outcome, drop=False)
    if result not in NOT_DEFINITE and rng.random() < run.retry_share:
        again = await send(run, connection, key, outcome, drop=False)
        if again not in NOT_DEFINITE:
            result = again
    if result == 201:
        outcome.final = "posted"
    elif result not in NOT_DEFINITE:
        outcome.final = "refused"
        if result not in ("insufficient_funds",):
            run.anomalies.append(f"{key}: unexpected answer {result}")


async def client_loop(run: Run, index: int, group: list[BenchUser], port: int) -> None:
    rng = random.Random(index)
    connection = HttpConnection("127.0.0.1", port, timeout=20)
    while time.monotonic() < run.deadline:
        sender, recipient = rng.sample(group, 2)
        key = uuid.uuid4().hex
        outcome = run.keys[key] = KeyOutcome(sender, recipient, rng.randint(1, 5000))
        await settle(run, connection, key, outcome, rng, until=run.deadline + 60)
    connection.close()


def reader(database_url: str, wallet_ids: list[int], total: int, stop: threading.Event, results: dict) -> None:
    """Sum the bench wallets every 100 ms from a fresh snapshot; reconnect through restarts."""
    import psycopg

    connection = None
    while not stop.wait(0.1):
        try:
            if connection is None or connection.closed:
                connection = psycopg.connect(database_url, autocommit=True, connect_timeout=2)
            found_total, lowest = connection.execute(
                "SELECT sum(balance), min(balance) FROM wallets_wallet WHERE id = ANY(%s)", [wallet_ids]
            ).fetchone()
        except psycopg.Error:
            results["failed reads"] += 1
            connection = None
            continue
        results["reads"] += 1
        results["wrong sums"] += int(found_total != total)
        results["negative balances seen"] += int(lowest < 0)
    if connection is not None:
        connection.close()


async def inject_faults(args, run: Run, gunicorn, postgres, redis, log: FaultLog, started: float) -> None:
    rng = random.Random(7)
    faults = set(args.faults.split(",")) if args.faults else set()
    pg_at, redis_at = started + args.duration * 0.3, started + args.duration * 0.55
    redis_back_at = None
    next_kill = started + 5
    while time.monotonic() < run.deadline:
        now = time.monotonic()
        if "kill-workers" in faults and now >= next_kill:
            pid = kill_random_worker(gunicorn.worker_pids(), rng)
            log.record(started, "kill -9 gunicorn worker", str(pid or ""))
            next_kill = now + 5
        if "pg-restart" in faults and postgres and pg_at and now >= pg_at:
            log.record(started, "PostgreSQL immediate restart")
            await asyncio.to_thread(postgres.restart_immediately)
            pg_at = None
        if "redis-stop" in faults and redis and redis_at and now >= redis_at:
            log.record(started, "Redis stopped", f"for {args.redis_down_seconds:.0f} s")
            redis.stop()
            redis_at, redis_back_at = None, now + args.redis_down_seconds
        if redis_back_at and now >= redis_back_at:
            redis.start()
            log.record(started, "Redis started again")
            redis_back_at = None
        await asyncio.sleep(0.2)
    if redis_back_at:
        redis.start()
        log.record(started, "Redis started again")


async def drive(args, run: Run, gunicorn, postgres, redis, log: FaultLog) -> None:
    started = time.monotonic()
    contention, spread = run.users[:8], run.users[8:]
    clients = [client_loop(run, i, contention if i % 2 == 0 else spread, args.port) for i in range(args.clients)]
    await asyncio.gather(inject_faults(args, run, gunicorn, postgres, redis, log, started), *clients)


def ledger_checks(run: Run, initial_total: int) -> list[tuple[str, bool, str]]:
    """Compare what the clients were told with what the ledger holds."""
    from django.db import connection

    wallet_ids = [u.wallet_id for u in run.users]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT substr(description, 6), count(*), array_agg(id::text) FROM ledger_transaction"
            " WHERE description LIKE 'bank-%%' AND from_wallet_id = ANY(%s) GROUP BY 1",
            [wallet_ids],
        )
        in_ledger = {key: (count, set(ids)) for key, count, ids in cursor.fetchall()}
        cursor.execute("SELECT id, balance FROM wallets_wallet WHERE id = ANY(%s)", [wallet_ids])
        balances = dict(cursor.fetchall())
    twice = [key for key, (count, _) in in_ledger.items() if count > 1]
    posted = {k: o for k, o in run.keys.items() if o.final == "posted"}
    lost = [k for k, o in posted.items() if k not in in_ledger or in_ledger[k][1] != o.transaction_ids]
    phantom = [k for k, o in run.keys.items() if o.final == "refused" and k in in_ledger]
    unknown = [k for k, o in run.keys.items() if o.final == "unknown"]
    expected = {w: INITIAL_BALANCE for w in wallet_ids}
    for key, (_, _) in in_ledger.items():
        outcome = run.keys.get(key)
        if outcome is not None:
            expected[outcome.sender.wallet_id] -= outcome.amount
            expected[outcome.recipient.wallet_id] += outcome.amount
    drift = [w for w in wallet_ids if expected[w] != balances[w]]
    return [
        ("no idempotency key posted twice", not twice, f"{len(twice)} keys posted twice"),
        ("every acknowledged transfer is in the ledger, once", not lost, f"{len(lost)} of {len(posted)} missing"),
        ("no refused transfer is in the ledger", not phantom, f"{len(phantom)} phantom"),
        ("every request got a definite answer", not unknown, f"{len(unknown)} still unknown"),
        ("final balances = initial + transfers", not drift, f"{len(drift)} wallets differ"),
        ("final total = initial total", sum(balances.values()) == initial_total, f"{sum(balances.values())}"),
        ("no negative balance at the end", min(balances.values()) >= 0, f"min {min(balances.values())}"),
    ]


def print_report(args, run: Run, log: FaultLog, reads: Counter, checks, elapsed: float) -> None:
    print(f"\nbank test: {args.clients} clients, {elapsed:.0f} s, {len(run.users)} wallets (8 hot + spread)")
    print("\n| fault | injected |\n|---|---:|")
    for kind, count in sorted(log.counts.items()):
        print(f"| {kind} | {count} |")
    print("\n| requests by outcome | count |\n|---|---:|")
    for status, count in sorted(run.statuses.items(), key=lambda item: str(item[0])):
        print(f"| {status} | {count} |")
    print(f"| replayed responses (Idempotent-Replayed) | {run.replays['replayed']} |")
    print(f"\nbalance reads: {reads['reads']} ({reads['failed reads']} failed while the database was down)")
    print("\n| invariant | holds | detail |\n|---|---|---|")
    for name, holds, detail in checks:
        print(f"| {name} | {'yes' if holds else 'NO'} | {detail} |")
    for anomaly in run.anomalies[:20]:
        print(f"  anomaly: {anomaly}")


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.private_services:
        return bank_test(args, None, None)
    postgres, redis = PrivatePostgres().start(), PrivateRedis().start()
    args.database_url, args.redis_url = postgres.url, redis.url
    try:
        return bank_test(args, postgres, redis)
    finally:
        postgres.stop()
        redis.stop()


def bank_test(args, postgres: PrivatePostgres | None, redis: PrivateRedis | None) -> int:
    environment = stack.bench_environment(database_url=args.database_url, redis_url=args.redis_url)
    stack.createdb_if_missing(args.database_url)
    stack.django_setup(environment)
    stack.database_prepare()
    users = users_create(count=1008, prefix=f"bank-{uuid.uuid4().hex[:8]}")
    users_fund(users, amount_minor=INITIAL_BALANCE)
    print(users_prepare(users))
    stack.database_analyze()
    print(f"bench Redis flushed ({stack.redis_flush(args.redis_url)} receipt tasks left by earlier runs)")
    initial_total = INITIAL_BALANCE * len(users)
    from django.db import connection

    connection.close()
    run = Run(users, 0.0, drop_share=args.drop_share, retry_share=args.retry_share)
    log, reads, stop = FaultLog(), Counter(), threading.Event()
    thread = threading.Thread(
        target=reader, args=(args.database_url, [u.wallet_id for u in users], initial_total, stop, reads)
    )
    gunicorn = stack.Gunicorn(port=args.port, environment=environment, workers=args.workers)
    # The audit sequencer runs beside the load as beat runs it in production: verify_audit flags an
    # event left unsealed longer than AUDIT_SEAL_MAX_LAG, which a run's backlog would become later.
    sequencer = Sequencer(interval_s=1.0)
    started = time.monotonic()
    try:
        with gunicorn:
            thread.start()
            sequencer.start()
            run.deadline = time.monotonic() + args.duration
            asyncio.run(drive(args, run, gunicorn, postgres, redis, log))
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
        sequencer.stop()
    elapsed = time.monotonic() - started
    clean, seconds, report = stack.reconcile_timed()
    chain_ok, chain_s, chain_report = stack.audit_verify_timed()
    checks = [
        ("every balance sum read equals the initial total", reads["wrong sums"] == 0, f"{reads['wrong sums']} wrong"),
        ("no negative balance ever read", reads["negative balances seen"] == 0, f"{reads['negative balances seen']}"),
        *ledger_checks(run, initial_total),
        ("no 500 responses", not any(str(s).startswith("5") and s not in (502, 503) for s in run.statuses), ""),
        ("no unexpected answers", not run.anomalies, f"{len(run.anomalies)}"),
        ("reconcile clean (every transaction balanced)", clean, f"{seconds:.2f} s"),
        ("audit hash chain intact (`verify_audit`)", chain_ok, f"{chain_s:.2f} s"),
    ]
    print_report(args, run, log, reads, checks, elapsed)
    if not clean:
        print(report)
    if not chain_ok:
        print(chain_report)
    return 0 if all(holds for _, holds, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
