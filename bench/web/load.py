"""A light closed-loop HTTP/1.1 load generator: N clients, each on its own keep-alive
connection with its own headers (session cookie or API token), sending GETs one after another
with no think time, and the latency of each request as the client sees it.

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


async def _client(
    host: str,
    port: int,
    request: bytes,
    count: int,
    start: asyncio.Event,
    outcome: Outcome,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    await start.wait()
    for _ in range(count):
        began = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            status, keep = await asyncio.wait_for(_get(reader, writer, request), 60)
        except (OSError, ProtocolError, asyncio.IncompleteReadError, TimeoutError) as exc:
            outcome.failures.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if status == 200:
            outcome.latencies_ms.append(elapsed)
        else:
            outcome.failures.append(str(status))
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(
    host: str, port: int, path: str, per_client: Sequence[Mapping[str, str]], requests: int
) -> Outcome:
    outcome = Outcome()
    start = asyncio.Event()
    n = len(per_client)
    shares = [requests // n + (i < requests % n) for i in range(n)]
    tasks = [
        asyncio.create_task(
            _client(host, port, _request(host, port, path, headers), share, start, outcome)
        )
        for headers, share in zip(per_client, shares, strict=True)
    ]
    start.set()
    await asyncio.gather(*tasks)
    return outcome


def load(
    host: str, port: int, path: str, per_client: Sequence[Mapping[str, str]], requests: int
) -> Outcome:
    """`requests` GETs of `path` shared by len(per_client) concurrent clients, each sending
    its own headers; closed loop, no think time."""
    return asyncio.run(_run(host, port, path, per_client, requests))
