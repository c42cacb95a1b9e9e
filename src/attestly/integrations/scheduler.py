"""The in-process scheduler of `attestly serve` / `attestly demo`: a thread that, every
`tick` seconds, starts the due collections on a small worker pool.

Started only by those commands (never on import, in tests or in management commands);
`stop()` stops taking new work and waits for running collections to finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections

from attestly.integrations.tasks import dispatch_due, resume_interrupted, run_collection

log = logging.getLogger(__name__)


class Scheduler:
    """Runs `dispatch_due` every `tick` seconds; collections run on `workers` threads."""

    def __init__(
        self,
        tick: float = 30.0,
        workers: int = 2,
        dispatch: Callable[..., Any] = dispatch_due,
        run: Callable[[int], int] = run_collection,
        resume: Callable[..., Any] | None = resume_interrupted,
        periodic: Sequence[tuple[float, Callable[[], Any]]] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tick = tick
        # (every seconds, job): housekeeping that runs on the scheduler thread, first at start.
        self._periodic = list(periodic)
        self._last_run: dict[int, float] = {}
        self._clock = clock
        self._dispatch = dispatch
        self._run = run
        self._resume = resume
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="collect")
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._pending: set[Future[int]] = set()
        self._lock = threading.Lock()

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def _work(self, run_id: int) -> int:
        try:
            return self._run(run_id)
        finally:
            close_old_connections()

    def _submit(self, run_id: int) -> None:
        future = self._pool.submit(self._work, run_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[int]) -> None:
        with self._lock:
            self._pending.discard(future)
        if future.exception() is not None:
            log.error("collection failed: %s", future.exception())

    def _loop(self) -> None:
        if self._resume is not None:
            try:  # runs a crash or kill cut off; their batch keys make re-running safe
                self._resume(submit=self._submit)
            except Exception:
                log.exception("resuming interrupted collections failed")
        while not self._stop.is_set():
            try:
                self._dispatch(submit=self._submit)
            except Exception:  # keep scheduling after a database hiccup
                log.exception("scheduling due collections failed")
            finally:
                close_old_connections()
            self._run_periodic()
            self._stop.wait(self.tick)

    def _run_periodic(self) -> None:
        now = self._clock()
        for index, (every, job) in enumerate(self._periodic):
            last = self._last_run.get(index)
            if last is not None and now - last < every:
                continue
            self._last_run[index] = now
            try:
                job()
            except Exception:  # one failing job must not stop collections or the others
                log.exception("periodic job %s failed", getattr(job, "__name__", job))
            finally:
                close_old_connections()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()
