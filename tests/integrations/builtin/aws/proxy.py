"""A loopback HTTP proxy in front of moto's server that can answer for it: throttling storms,
refusals, garbage. `rule(request)` returns a canned (status, headers, body) or None to forward.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
Answer = tuple[int, Mapping[str, str], bytes]
HOP_HEADERS = frozenset({"connection", "transfer-encoding", "keep-alive", "content-length"})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def service(self) -> str:
        """The signing name of the service called (logs, guardduty, iam, sts…)."""
        found = CREDENTIAL_SCOPE.search(self.headers.get("Authorization", ""))
        return found.group(1) if found else ""

    @property
    def operation(self) -> str:
        """The operation, for the JSON (X-Amz-Target) and query (Action=) protocols."""
        target = self.headers.get("X-Amz-Target", "")
        if target:
            return target.rsplit(".", 1)[-1]
        action = urllib.parse.parse_qs(self.body.decode("utf-8", "replace")).get("Action")
        return action[0] if action else ""


def json_error(status: int, code: str, message: str) -> Answer:
    body = f'{{"__type": "{code}", "message": "{message}"}}'.encode()
    return status, {"Content-Type": "application/x-amz-json-1.1"}, body


class AwsProxy:
    """Forwards to `upstream` unless `rule` answers; counts what it saw."""

    def __init__(self, upstream: str) -> None:
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.rule: Callable[[Request], Answer | None] = lambda _r: None
        self.seen: list[Request] = []
        self.answered = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                with proxy._lock:
                    proxy.seen.append(request)
                answer = proxy.rule(request)
                if answer is None:
                    answer = proxy.forward(request)
                else:
                    with proxy._lock:
                        proxy.answered += 1
                status, headers, payload = answer
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in HOP_HEADERS:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        return Handler

    def forward(self, request: Request) -> Answer:
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
            connection.request(request.method, request.path, request.body, headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@contextmanager
def aws_proxy(upstream: str) -> Iterator[AwsProxy]:
    proxy = AwsProxy(upstream)
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
        thread.join(timeout=5)
