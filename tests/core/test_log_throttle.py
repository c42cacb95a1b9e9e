"""The log throttle: one record per interval through, the rest counted, not lost silently."""

from __future__ import annotations

import logging
import logging.config

import pytest

from attestly.core import logging as attestly_logging
from attestly.core.logging import Throttle, logging_config


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(attestly_logging.time, "monotonic", clock)
    return clock


def record(depth: int) -> logging.LogRecord:
    return logging.LogRecord(
        "waitress.queue", logging.WARNING, "", 0, "Task queue depth is %d", (depth,), None
    )


def test_first_through_then_one_per_interval_with_what_was_held(clock: Clock) -> None:
    throttle = Throttle(interval=60)
    first = record(1)
    assert throttle.filter(first)
    assert first.getMessage() == "Task queue depth is 1"

    assert not any(throttle.filter(record(depth)) for depth in (3, 9, 2))

    clock.now += 61
    after = record(4)
    assert throttle.filter(after)
    assert after.getMessage() == (
        "Task queue depth is 4 (3 more like it held back in the last 60 s, highest 9)"
    )
    # A quiet interval after that: the next record goes through as it is.
    clock.now += 61
    quiet = record(1)
    assert throttle.filter(quiet)
    assert quiet.getMessage() == "Task queue depth is 1"


def test_the_logging_settings_throttle_waitress_queue_warnings(
    clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    import waitress.utilities

    queue_logger = waitress.utilities.queue_logger
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, list(queue_logger.filters))
    try:
        logging.config.dictConfig(logging_config(level="INFO", log_format="console"))
        for depth in range(1, 500):
            queue_logger.warning("Task queue depth is %d", depth)
        clock.now += 61
        queue_logger.warning("Task queue depth is %d", 2)
    finally:
        root.handlers[:], queue_logger.filters[:] = saved[0], saved[2]
        root.setLevel(saved[1])
    lines = [line for line in capsys.readouterr().err.splitlines() if "waitress.queue" in line]
    assert len(lines) == 2
    assert lines[0].endswith("Task queue depth is 1")
    assert lines[1].endswith(
        "Task queue depth is 2 (498 more like it held back in the last 60 s, highest 499)"
    )
