"""The benchmark's hold mode: a client authorizes a hold, then captures it to a random payee."""

import random
import time
import uuid

from bench.loadgen import ConnectionDropped, HttpConnection, LoadStats, json_body
from bench.seed import BENCH_PIN, BenchUser

HOLD_MODE, HOLDS_PATH = "hold", "/api/v1/holds"


def hold_requests(payer: BenchUser, payee: BenchUser, rng: random.Random) -> tuple[dict, bytes, dict, bytes]:
    """The authorization of a hold, then (once its id is known) its capture to `payee`: two money requests."""
    headers = {"Authorization": f"Bearer {payer.token}", "Content-Type": "application/json"}
    amount = f"{rng.randint(1, 100) / 100:.2f}"
    hold = json_body({"amount": amount, "currency": "USD", "pin": BENCH_PIN})
    capture = json_body({"to_wallet": payee.public_id, "pin": BENCH_PIN})
    return (
        headers | {"Idempotency-Key": uuid.uuid4().hex},
        hold,
        headers | {"Idempotency-Key": uuid.uuid4().hex},
        capture,
    )


async def hold_and_capture(connection: HttpConnection, stats: LoadStats, payer, payee, rng: random.Random) -> None:
    hold_headers, hold, capture_headers, capture = hold_requests(payer, payee, rng)
    started = time.perf_counter()
    try:
        response = await connection.request("POST", HOLDS_PATH, hold_headers, hold)
    except ConnectionDropped:
        stats.record("dropped", started)
        return
    stats.record(response.status, started)
    if response.status != 201:
        return
    started = time.perf_counter()
    try:
        response = await connection.request(
            "POST", f"{HOLDS_PATH}/{response.json()['id']}/capture", capture_headers, capture
        )
    except ConnectionDropped:
        stats.record("dropped", started)
        return
    stats.record(response.status, started)


def queries_per_hold(users: list[BenchUser], *, samples: int = 10) -> tuple[float, float]:
    """SQL statements per hold authorization and per capture, on the full Django stack (after the
    transfers' count, so every sender's PIN salt is known)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rng = random.Random(1)
    authorize, capture = [], []
    for i in range(samples):
        payer, payee = users[(2 * i) % len(users)], users[(2 * i + 1) % len(users)]
        hold_headers, hold, capture_headers, capture_body = hold_requests(payer, payee, rng)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(HOLDS_PATH, hold, content_type="application/json", headers=_django(hold_headers))
        assert response.status_code == 201, response.content
        authorize.append(len(captured.captured_queries))
        path = f"{HOLDS_PATH}/{response.json()['id']}/capture"
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                path, capture_body, content_type="application/json", headers=_django(capture_headers)
            )
        assert response.status_code == 201, response.content
        capture.append(len(captured.captured_queries))
    return sum(authorize) / samples, sum(capture) / samples


def _django(headers: dict) -> dict:
    return {k: v for k, v in headers.items() if k != "Content-Type"}
