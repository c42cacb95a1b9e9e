"""Serving the WSGI app on waitress: in this process, or in several worker processes forked
from it.

Why several: CPython runs Python one thread at a time, so one waitress process uses one core
however many request threads it has, and under many simultaneous users each request waits
for the ones ahead of it. N workers use N cores if the connections are spread over them:
browsers and API clients keep their connections open, so a worker holds what it accepted for
as long as the client stays. Where the system allows (Linux), each worker listens on a socket
of its own on the same address (SO_REUSEPORT), and the kernel spreads new connections over
them evenly by their addresses; one shared socket instead gives each new connection to
whichever worker wakes first, often the busy one (measured: 17 of 20 connections on one of two
workers, and half the throughput). Elsewhere the workers share the parent's socket.

Each worker has its own request threads, database connections and data cache; the cache
is keyed on the workspaces' data version read from the database on every request, so workers
never serve each other's stale figures.

The parent only supervises (it runs no threads, so forking from it is safe): it replaces a
worker that dies, and on SIGTERM or Ctrl+C stops them all and waits for them. Worker 0 also
runs the in-process scheduler, so scheduled collections run once, not once per worker. Each
worker asks the kernel to stop it if the parent dies (Linux), so no orphan keeps the port.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("attestly.serve")

MAX_AUTO_WORKERS = 4
QUICK_DEATH_S = 5.0  # a worker dying sooner than this after its start is restarted slowly
STOP_TIMEOUT_S = 75.0  # a worker finishing its running collections may take a while


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def worker_count(configured: int) -> int:
    """The number of serving processes: the configured one, or with 0 one per core on Linux
    (at most MAX_AUTO_WORKERS) and one elsewhere; always 1 where processes cannot be forked."""
    if not can_fork():
        return 1
    if configured > 0:
        return configured
    if not sys.platform.startswith("linux"):
        return 1  # macOS frameworks may not survive fork(); ask for workers explicitly there
    return max(1, min(MAX_AUTO_WORKERS, os.cpu_count() or 1))


def spreads_connections() -> bool:
    """Whether workers can each listen on the address, with the kernel spreading connections
    over them (Linux's SO_REUSEPORT; BSD and macOS have the option but do not balance)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def bind(host: str, port: int, shared_port: bool = False) -> socket.socket:
    """The socket of the address, bound before any worker starts (so a busy port fails at
    once). With `shared_port`, other sockets may bind the same address (`worker_socket`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def worker_socket(reserved: socket.socket) -> socket.socket:
    """A worker's own socket on the address `reserved` holds (bound by `bind` with
    `shared_port`, never listening, so no connection waits on it unaccepted); waitress makes
    it listen."""
    host, port = reserved.getsockname()[:2]
    return bind(host, port, shared_port=True)


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGTERM to this process when its parent exits."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class _Stop(Exception):
    """Raised by the parent's SIGTERM/SIGINT handler to leave its wait for children."""


class Arbiter:
    """Forks `workers` processes that each call `serve_one(index)`, keeps them running, and
    stops them on SIGTERM or SIGINT."""

    def __init__(self, workers: int, serve_one: Callable[[int], None]) -> None:
        self.workers = workers
        self.serve_one = serve_one
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at)
        self.stopping = False

    def _spawn(self, index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)  # serve_one sets its own
                signal.signal(signal.SIGINT, signal.default_int_handler)
                _die_with_parent()
                self.serve_one(index)
            except BaseException:  # a worker must never return into the parent's code
                log.exception("serving worker %s failed", index)
                code = 1
            finally:
                os._exit(code)
        self.children[pid] = (index, time.monotonic())

    def _stop(self, signum: int, frame: Any) -> None:
        # Raising (not just setting a flag) interrupts os.waitpid, which Python otherwise
        # retries after a signal.
        self.stopping = True
        raise _Stop

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for index in range(self.workers):
                self._spawn(index)
            self._supervise()
        except _Stop:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the shutdown short
            self._terminate_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _supervise(self) -> None:
        while not self.stopping:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if self.stopping or pid not in self.children:
                continue
            index, started = self.children.pop(pid)
            log.error(
                "serving worker %s (pid %s) exited with status %s; starting another",
                index,
                pid,
                os.waitstatus_to_exitcode(status),
            )
            if time.monotonic() - started < QUICK_DEATH_S:
                time.sleep(1.0)  # a worker that cannot start must not spin the machine
            if not self.stopping:
                self._spawn(index)

    def _terminate_all(self) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while self.children and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                break
            if pid == 0:
                time.sleep(0.05)
                continue
            self.children.pop(pid, None)
        for pid in list(self.children):  # past the deadline
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.children.clear()
