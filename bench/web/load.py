"""A light closed-loop HTTP/1.1 load generator: N clients, each on its own keep-alive
connection, each sending its own sequence of GETs (with its own headers: session cookie or API
token) one after another with no think time, and the latency of each request as the client
sees it.

Why not threads with httpx: on a 2-core machine that also runs the server, 20 Python threads
spend more CPU per request than a cached page costs the server, and each waits for the GIL
before it can even read its answer, so the figures would be the client's. One asyncio loop on
raw sockets costs a few tens of microseconds a request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class ProtocolError(Exception):
    pass


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


async def _read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> None:
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                return
    raise ProtocolError("an answer with neither Content-Length nor chunked encoding")


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bool]:
    """One request on an open connection: (status, whether the server keeps it open)."""
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ProtocolError("connection closed before an answer")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    await _read_body(reader, headers)
    return status, headers.get("connection", "").lower() != "close"


def _request(host: str, port: int, path: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Connection:
    """One client's keep-alive connection, opened on first use and reopened when the server
    closes it; kept across `Load.run` calls, as a browser keeps its connections."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, request: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        try:
            status, keep = await asyncio.wait_for(_get(self.reader, self.writer, request), 60)
        except BaseException:
            self.close()
            raise
        if not keep:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _client(
    connection: Connection,
    requests: Sequence[tuple[str, bytes]],
    start: asyncio.Event,
    outcomes: dict[str, Outcome],
) -> None:
    """Send `requests` ((label, request bytes)) one after another; each latency goes to the
    outcome of its label."""
    await start.wait()
    for label, request in requests:
        outcome = outcomes.setdefault(label, Outcome())
        began = time.perf_counter()
        try:
            status = await connection.get(request)
        except (OSError, ProtocolError, asyncio.IncompleteReadError, TimeoutError) as exc:
            outcome.failures.append(type(exc).__name__)
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if status == 200:
            outcome.latencies_ms.append(elapsed)
        else:
            outcome.failures.append(str(status))


class Load:
    """`clients` concurrent clients on one event loop, their connections kept between runs."""

    def __init__(self, host: str, port: int, clients: int) -> None:
        self.host, self.port = host, port
        self.connections = [Connection(host, port) for _ in range(clients)]
        self._runner = asyncio.Runner()

    def run(self, path: str, per_client: Sequence[Mapping[str, str]], requests: int) -> Outcome:
        """`requests` GETs of `path` shared by the first len(per_client) clients, each sending
        its own headers; closed loop, no think time."""
        n = len(per_client)
        shares = [requests // n + (i < requests % n) for i in range(n)]
        pairs = zip(per_client, shares, strict=True)
        walks = [[(path, path, headers)] * share for headers, share in pairs]
        return self.walk(walks).get(path, Outcome())

    def walk(
        self, walks: Sequence[Sequence[tuple[str, str, Mapping[str, str]]]]
    ) -> dict[str, Outcome]:
        """Client i sends the GETs of walks[i] ((label, path, headers)) one after another,
        all clients at once; closed loop, no think time. Outcomes by label."""
        return self._runner.run(self._walk(walks))

    async def _walk(
        self, walks: Sequence[Sequence[tuple[str, str, Mapping[str, str]]]]
    ) -> dict[str, Outcome]:
        outcomes: dict[str, Outcome] = {}
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(
                _client(
                    connection,
                    [
                        (label, _request(self.host, self.port, path, headers))
                        for label, path, headers in walk
                    ],
                    start,
                    outcomes,
                )
            )
            for connection, walk in zip(self.connections, walks, strict=False)
        ]
        start.set()
        await asyncio.gather(*tasks)
        return outcomes

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self._runner.close()
