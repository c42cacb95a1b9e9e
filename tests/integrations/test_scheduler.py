from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.scheduler import Scheduler


def test_the_scheduler_runs_due_work_on_its_pool_and_stops_cleanly() -> None:
    ran: list[int] = []
    done = threading.Event()
    ticks: list[int] = []

    def dispatch(submit: Callable[[int], Any]) -> list[int]:
        ticks.append(1)
        if len(ticks) <= 2:
            submit(len(ticks))
        return []

    def run(run_id: int) -> int:
        ran.append(run_id)
        if len(ran) == 2:
            done.set()
        return run_id

    scheduler = Scheduler(tick=0.01, workers=2, dispatch=dispatch, run=run, resume=None).start()
    assert done.wait(5)
    scheduler.stop(timeout=5)
    assert not scheduler.running
    assert sorted(ran) == [1, 2]


def test_a_failing_dispatch_does_not_stop_the_scheduler() -> None:
    calls = threading.Semaphore(0)

    def dispatch(submit: Callable[[int], Any]) -> list[int]:
        calls.release()
        raise RuntimeError("database is locked")

    scheduler = Scheduler(tick=0.01, dispatch=dispatch, run=lambda r: r, resume=None).start()
    assert calls.acquire(timeout=5) and calls.acquire(timeout=5)
    scheduler.stop(timeout=5)
    assert not scheduler.running


def test_interrupted_runs_are_resumed_first() -> None:
    resumed = threading.Event()
    ran: list[int] = []

    def resume(submit: Callable[[int], Any]) -> list[int]:
        submit(41)
        return [41]

    def run(run_id: int) -> int:
        ran.append(run_id)
        resumed.set()
        return run_id

    scheduler = Scheduler(tick=0.01, dispatch=lambda submit: [], run=run, resume=resume).start()
    assert resumed.wait(5)
    scheduler.stop(timeout=5)
    assert ran == [41]


def test_nothing_starts_a_scheduler_but_serve() -> None:
    import django

    django.setup()
    assert "scheduler" not in {t.name for t in threading.enumerate()}


@pytest.mark.django_db  # the scheduler closes stale connections after each job
def test_periodic_jobs_run_at_start_then_every_interval_and_survive_failures() -> None:
    from attestly.integrations.scheduler import Scheduler

    now = [1000.0]
    calls: list[str] = []

    def hourly() -> None:
        calls.append("hourly")

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    scheduler = Scheduler(
        dispatch=lambda submit: None,
        resume=None,
        periodic=[(3600.0, hourly), (60.0, broken)],
        clock=lambda: now[0],
    )
    scheduler._run_periodic()
    now[0] += 120
    scheduler._run_periodic()
    now[0] += 3600
    scheduler._run_periodic()
    assert calls == ["hourly", "broken", "broken", "hourly", "broken"]
