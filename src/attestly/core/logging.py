"""Structured (JSON lines) log formatting for log shippers."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None)))


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """Django's LOGGING: one stream handler (console lines or JSON), throttled server noise."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "console": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "attestly.core.logging.JsonFormatter"},
        },
        "filters": {"once_a_minute": {"()": "attestly.core.logging.Throttle", "interval": 60.0}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # waitress warns on every request that waits for a thread; once a minute says so.
            "waitress.queue": {"filters": ["once_a_minute"]},
        },
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra=` fields kept as keys."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class Throttle(logging.Filter):
    """Lets one record through per `interval` seconds and counts the ones it held back.

    For messages a busy server repeats on every request: waitress warns "Task queue depth is N"
    each time a request waits for a free thread, which under a burst is hundreds of lines a
    second that bury everything else. The signal stays (the first one, then one per interval,
    saying how many were held back and the highest number seen in them); the flood goes.
    """

    def __init__(self, interval: float = 60.0) -> None:
        super().__init__()
        self.interval = interval
        self._lock = threading.Lock()
        self._next_at = 0.0
        self._held = 0
        self._highest: float | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        number = _first_number(record.args)
        now = time.monotonic()
        with self._lock:
            if now < self._next_at:
                self._held += 1
                if number is not None and (self._highest is None or number > self._highest):
                    self._highest = number
                return False
            held, highest = self._held, self._highest
            self._next_at, self._held, self._highest = now + self.interval, 0, None
        if held:
            note = f" ({held} more like it held back in the last {self.interval:g} s"
            note += f", highest {highest:g})" if highest is not None else ")"
            record.msg = f"{record.getMessage()}{note}"
            record.args = None
        return True


def _first_number(args: Any) -> float | None:
    if isinstance(args, tuple) and args and isinstance(args[0], int | float):
        return float(args[0])
    return None
