"""`attestly serve --workers N`: N forked waitress workers behind one socket, a dead worker
replaced, all of them stopped by one SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import ATTESTLY

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for children"),
]


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/healthz", timeout=2
        ) as answer:  # loopback
            return bool(answer.status == 200)
    except OSError:
        return False


def test_workers_serve_are_replaced_and_stop_together(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    password = tmp_path / "pw"
    password.write_text("a long enough admin password 7\n")
    assert run_cli("init", "--admin-password-file", str(password)).returncode == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATTESTLY_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["ATTESTLY_DATA_DIR"] = str(tmp_path / "data")
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*ATTESTLY, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: healthy(port) and len(children(server.pid)) == 2)
        first = children(server.pid)
        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        wait_for(lambda: len(children(server.pid) - {killed}) == 2)
        assert healthy(port)
        workers = children(server.pid)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=90) == 0
        for pid in workers:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
            )
        assert not healthy(port)
    finally:
        if server.poll() is None:
            server.kill()
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert "2 serving processes" in text
    assert "exited with status -9; starting another" in text
