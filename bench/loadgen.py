"""A small asyncio HTTP/1.1 load driver.

Why not a thread per client or an off-the-shelf tool: on a 2-core machine the load generator
competes with gunicorn and PostgreSQL for the same CPUs. One asyncio event loop speaking raw
HTTP/1.1 over loopback sockets costs a few tens of microseconds per request, so nearly all the CPU
goes to the server being measured, and every request is timed from the first byte sent to the
last byte read (latency includes queueing in gunicorn's backlog, as a real client sees it).
Keep-alive is used when the server offers it (gthread workers); sync workers close after each
response and the driver reconnects.
"""

import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


class ConnectionDropped(Exception):
    """The server closed the connection (or was killed) before the response was complete."""


class HttpConnection:
    def __init__(self, host: str, port: int, *, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    def _encode(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")

    async def send_and_drop(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None, *, partial: bool = False
    ) -> None:
        """Send a request (or, partial, only its first half), then hang up without reading the answer."""
        if self._writer is None:
            await self._connect()
        raw = self._encode(method, path, headers, body)
        self._writer.write(raw[: len(raw) // 2] if partial else raw)
        await self._writer.drain()
        self.close()

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Response:
        if self._writer is None:
            await self._connect()
        try:
            self._writer.write(self._encode(method, path, headers, body))
            await self._writer.drain()
            response = await asyncio.wait_for(self._read_response(), self.timeout)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, OSError) as exc:
            self.close()
            raise ConnectionDropped(str(exc) or type(exc).__name__) from exc
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    async def _read_response(self) -> Response:
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self._reader.read()
            headers["connection"] = "close"
        return Response(status, headers, body)

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)


@dataclass
class LoadStats:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0

    def record(self, status: int | str, started: float) -> None:
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.statuses[status] += 1

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=1000, method="inclusive")[int(q * 1000) - 1]

    def count(self, status: int) -> int:
        return self.statuses.get(status, 0)

    def rate(self, status: int) -> float:
        return self.count(status) / self.elapsed_s if self.elapsed_s else 0.0


ClientLoop = Callable[[int, HttpConnection, LoadStats, float], Awaitable[None]]


async def run_clients(*, host: str, port: int, clients: int, duration_s: float, loop: ClientLoop) -> LoadStats:
    """Run `clients` copies of `loop(index, connection, stats, deadline)` until the deadline."""
    stats = LoadStats()
    started = time.perf_counter()
    deadline = started + duration_s
    connections = [HttpConnection(host, port) for _ in range(clients)]
    try:
        await asyncio.gather(*(loop(i, connections[i], stats, deadline) for i in range(clients)))
    finally:
        for connection in connections:
            connection.close()
    stats.elapsed_s = time.perf_counter() - started
    return stats


def json_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
