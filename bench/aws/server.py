"""moto in server mode behind a request counter, run as its own process.

    python -m bench.aws.server [--host 127.0.0.1] [--port 0]

Prints `PORT <n>` once it listens. Every request that reaches moto is counted by
(service, region, action) from its SigV4 credential scope and its action (the
`X-Amz-Target` header, the `Action` form field, or method and path shape for REST APIs),
so both tools are counted by the same code. `GET /__bench/calls` returns the counts as
JSON and `POST /__bench/reset` zeroes them; neither is counted.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_ID_SEGMENT = re.compile(r"/[^/?]+")
_SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/")


class CountingMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.calls: Counter[tuple[str, str, str]] = Counter()

    def _action(self, environ: dict[str, Any]) -> str:
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return target.rsplit(".", 1)[-1]
        method = environ.get("REQUEST_METHOD", "GET")
        ctype = environ.get("CONTENT_TYPE", "")
        if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action")
            if action:
                return action[0]
        query = environ.get("QUERY_STRING", "")
        keys = sorted({q.split("=", 1)[0] for q in query.split("&") if q}) if query else []
        path = environ.get("PATH_INFO", "/")
        depth = len(_ID_SEGMENT.findall(path))
        return f"{method} /{depth}{'?' + ','.join(keys) if keys else ''}"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            if path == "/__bench/reset":
                with self.lock:
                    self.calls.clear()
            with self.lock:
                rows = [[s, r, a, n] for (s, r, a), n in sorted(self.calls.items())]
            body = json.dumps(rows).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service, region = match.groups()[::-1] if match else ("unsigned", "-")
        key = (service, region, self._action(environ))
        with self.lock:
            self.calls[key] += 1
        return self.app(environ, start_response)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = CountingMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, True, request_handler=MotoRequestHandler)
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
