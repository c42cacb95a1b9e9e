"""Runs the test OpenID provider (node-oidc-provider, tests/accounts/oidc/) on a free port.

`npm ci` runs once into a cache directory keyed by the lockfile's hash; the provider process
is started per fixture scope and killed at teardown.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import have_binary, require_service

SOURCE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "attestly"
CLIENT_SECRET = "attestly-test-secret"


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _installed() -> Path:
    lock = (SOURCE / "package-lock.json").read_bytes()
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "attestly"
    target = base / f"oidc-provider-{hashlib.sha256(lock).hexdigest()[:12]}"
    base.mkdir(parents=True, exist_ok=True)
    with (base / "oidc-provider.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # pytest-xdist workers install once between them
        if not (target / "node_modules" / "oidc-provider").exists():
            target.mkdir(exist_ok=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copy(SOURCE / name, target / name)
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=target,
                check=True,
                capture_output=True,
                timeout=300,
            )
    shutil.copy(SOURCE / "provider.js", target / "provider.js")
    return target


@contextmanager
def running_provider(redirect_uris: list[str]) -> Iterator[OidcProvider]:
    require_service("node", have_binary("node") and have_binary("npm"), "node and npm run it")
    directory = _installed()
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "REDIRECT_URIS": ",".join(redirect_uris)}
    process = subprocess.Popen(
        ["node", "provider.js"],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                url = f"{issuer}/.well-known/openid-configuration"
                with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                    assert json.loads(response.read())["issuer"] == issuer
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stderr = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"the OIDC provider did not start: {stderr}") from None
                time.sleep(0.2)
        yield OidcProvider(issuer=issuer)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
