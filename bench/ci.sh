#!/usr/bin/env bash
# VaultPay benchmark smoke run for CI, about two minutes: every benchmark runs briefly against a
# real gunicorn + PostgreSQL + Redis stack and fails the build if an invariant breaks (the numbers
# it prints are informational; CI machines are too noisy to assert on them).
#
#   transfers  uniform / baseline / hot-out / hot-in / deposit for 5 s each (the baseline - the naive
#              Django transfer in shared/bench/naive_django - only where that folder exists), with the
#              audit sequencer and the outbox relay beside the load, pgbench at scale 1, reconcile
#   history    20,000 entries, first page / deep page / cursor, reconcile
#   bank       30 s bank test: kill -9 a gunicorn worker every 5 s, and - when a private PostgreSQL
#              cluster and Redis can be started here (initdb + runuser) - one immediate PostgreSQL
#              restart and Redis stopped for 8 s. The shared servers are never restarted.
#
# Environment: PYTHON (default .venv/bin/python), BENCH_DATABASE_URL, BENCH_REDIS_URL,
# BENCH_PGBENCH_DATABASE_URL, BENCH_BASELINE_DATABASE_URL, BENCH_PORT (first of four ports, default 8631).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-.venv/bin/python}"
[[ -x "${PYTHON}" ]] || PYTHON="$(command -v python3)"
DB="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vaultpay_bench_ci}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}"
PGBENCH_DB="${BENCH_PGBENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vaultpay_pgbench_ci}"
BASELINE_DB="${BENCH_BASELINE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vp_peer_naive_ci}"
PORT="${BENCH_PORT:-8631}"

MODES="uniform,hot-out,hot-in,deposit,hold"
if "${PYTHON}" -c "from bench.baseline import baseline_dir; baseline_dir()" 2>/dev/null; then
    MODES="uniform,baseline,hot-out,hot-in,deposit,hold"
else
    echo "no naive baseline folder here: transfers without the baseline mode"
fi

echo "==> bench/transfers.py (smoke)"
"${PYTHON}" bench/transfers.py --database-url "${DB}" --redis-url "${REDIS}" --port "${PORT}" \
    --pgbench-database-url "${PGBENCH_DB}" --pgbench-scale 1 --baseline-database-url "${BASELINE_DB}" \
    --baseline-port "$((PORT + 3))" --modes "${MODES}" --users 200 --clients 8 --duration 5 --workers 2

echo "==> bench/history.py (smoke)"
"${PYTHON}" bench/history.py --database-url "${DB}" --redis-url "${REDIS}" --port "$((PORT + 1))" \
    --entries 20000 --wallets 100 --samples 50

echo "==> bench/bank.py (30 s)"
if command -v runuser >/dev/null && id postgres >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    "${PYTHON}" bench/bank.py --port "$((PORT + 2))" --duration 30 --private-services --redis-down-seconds 8
else
    echo "no private PostgreSQL possible here: killing gunicorn workers only"
    "${PYTHON}" bench/bank.py --database-url "${DB}" --redis-url "${REDIS}" --port "$((PORT + 2))" \
        --duration 30 --faults kill-workers
fi
