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
from typing import IO

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


def start_two_workers(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> tuple[subprocess.Popen[bytes], int, IO[str]]:
    """`attestly serve --workers 2` on a free port of a new data directory: the server, its
    port and its log (which the caller closes)."""
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
    return server, port, log


def test_workers_serve_are_replaced_and_stop_together(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    server, port, log = start_two_workers(run_cli, tmp_path)
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


ESTABLISHED, LISTEN = "01", "0A"  # the socket states of /proc/net/tcp


def connections_per_worker(
    workers: set[int], port: int, state: str = ESTABLISHED
) -> dict[int, int]:
    """How many connections to `port` in `state` each worker holds (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, found_state, inode = fields[1], fields[3], fields[9]
            if found_state == state and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    found = {}
    for pid in workers:
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                held += str(fd.readlink()) in inodes
            except OSError:
                continue
        found[pid] = held
    return found


def test_kept_connections_are_spread_over_the_workers(
    run_cli: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """Clients keep their connections, so a worker serves what it accepted for as long as the
    client stays: forty clients must not land mostly on one of two workers."""
    import http.client

    server, port, log = start_two_workers(run_cli, tmp_path)
    clients: list[http.client.HTTPConnection] = []

    def both_listening() -> bool:
        # A worker's socket listens once its waitress starts, after the worker has loaded
        # the app; until then the kernel gives every connection to the other one.
        listening = connections_per_worker(children(server.pid), port, LISTEN)
        return len(listening) == 2 and min(listening.values()) == 1

    try:
        wait_for(lambda: healthy(port) and both_listening())
        # All connect at once (the kernel queues them before any worker accepts), as a page's
        # requests or a team starting work do; then each sends a request. Three rounds: on
        # one shared socket, one round in three or so left a worker with 4 of the 40.
        for _round in range(3):
            for _ in range(40):
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                client.connect()
                clients.append(client)
            for client in clients:
                client.request("GET", "/healthz")
            for client in clients:
                assert client.getresponse().read() is not None
            held = connections_per_worker(children(server.pid), port)
            assert sum(held.values()) == 40, held
            assert min(held.values()) >= 8, held  # an even spread gives 20 each, give or take
            for client in clients:
                client.close()
            clients.clear()
            wait_for(lambda: sum(connections_per_worker(children(server.pid), port).values()) == 0)
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=90)
        finally:
            if server.poll() is None:
                server.kill()
            log.close()
