"""A real local HTTP server for the sample integration, configurable per test.

`SampleServer.faults[path]` is a list of (status, body) answered before the normal answer,
one per request: `[(429, "")] * 3` is a throttling storm, `[(403, "")] * 99` a denied API.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "s3cret-token-value"
USERS = [
    {"login": "ann", "mfa": True},
    {"login": "ben", "mfa": False},
    {"login": "cat", "mfa": True},
]
REPOS = [{"name": "api", "visibility": "private"}, {"name": "site", "visibility": "public"}]


@dataclass
class SampleServer:
    token: str = TOKEN
    scopes: list[str] = field(default_factory=lambda: ["users:read", "repos:read"])
    faults: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=lambda: list(USERS))
    repos: list[dict[str, Any]] = field(default_factory=lambda: list(REPOS))
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str, query: dict[str, list[str]], auth: str) -> tuple[int, str]:
        self.requests.append(path)
        queued = self.faults.get(path)
        if queued:
            return queued.pop(0)
        if auth != f"Bearer {self.token}":
            return 401, json.dumps({"error": "bad token"})
        if path == "/me":
            return 200, json.dumps({"login": "robot", "scopes": self.scopes})
        if path == "/users":
            page = int(query.get("page", ["1"])[0])
            items = self.users[(page - 1) * 2 : page * 2]
            more = len(self.users) > page * 2
            return 200, json.dumps({"items": items, "next": str(page + 1) if more else None})
        if path == "/repos":
            return 200, json.dumps(self.repos)
        return 404, "{}"


def start(state: SampleServer) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            status, body = state.answer(
                parsed.path, parse_qs(parsed.query), self.headers.get("Authorization", "")
            )
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
