"""Connection schedules: an interval (`30m`, `6h`, `1d`, `1w`) or a 5-field cron expression.

Cron fields are minute, hour, day of month, month, day of week (0 or 7 = Sunday), each `*`,
a number, a range `a-b`, a list `a,b`, and steps `*/n` or `a-b/n`. As in cron, when both day
fields are restricted a day matching either runs. Times are UTC. A small parser beats a
dependency for this: the grammar is fixed and the tests pin it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
MIN_INTERVAL = dt.timedelta(minutes=1)


class ScheduleError(ValueError):
    """A schedule that is neither an interval nor a valid cron expression; says why."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule. `next_after(t)` is the first run time strictly after `t`."""

    text: str
    interval: dt.timedelta | None = None
    cron: tuple[frozenset[int], ...] = ()
    day_restricted: bool = False
    weekday_restricted: bool = False

    def next_after(self, after: dt.datetime) -> dt.datetime:
        after = after.astimezone(dt.UTC)
        if self.interval is not None:
            return after + self.interval
        minutes, hours, days, months, weekdays = self.cron
        t = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = t + dt.timedelta(days=366 * 5)
        while t < limit:
            if t.month not in months:
                t = (t.replace(day=1, hour=0, minute=0) + dt.timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(t, days, weekdays):
                t = t.replace(hour=0, minute=0) + dt.timedelta(days=1)
                continue
            if t.hour not in hours:
                t = t.replace(minute=0) + dt.timedelta(hours=1)
                continue
            if t.minute not in minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t
        raise ScheduleError(f"{self.text!r} never runs")

    def _day_matches(self, t: dt.datetime, days: frozenset[int], weekdays: frozenset[int]) -> bool:
        weekday = (t.weekday() + 1) % 7  # cron: 0 = Sunday
        in_days, in_weekdays = t.day in days, weekday in weekdays
        if self.day_restricted and self.weekday_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays


def _parse_field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{name}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            if not (a.isdigit() and b.isdigit()):
                raise ScheduleError(f"{name}: {part!r} is not a range of numbers")
            start, end = int(a), int(b)
        elif part.isdigit():
            start = end = int(part)
            if step != 1:
                end = high
        else:
            raise ScheduleError(f"{name}: {part!r} is not a number, range or *")
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ScheduleError(f"{name}: {part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_schedule(text: str) -> Schedule:
    """Parse `6h` or `0 3 * * 1-5`, raising `ScheduleError` with the field at fault."""
    match = _INTERVAL.match(text)
    if match:
        interval = dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
        if interval < MIN_INTERVAL:
            raise ScheduleError(f"{text!r}: the shortest interval is 1m")
        return Schedule(text=text.strip(), interval=interval)
    parts = text.split()
    if len(parts) != 5:
        raise ScheduleError(
            f"{text!r} is neither an interval (30m, 6h, 1d) nor a cron expression of 5 fields "
            "(minute hour day month weekday)"
        )
    fields = [
        _parse_field(part, name, low, high)
        for part, (name, low, high) in zip(parts, _FIELDS, strict=True)
    ]
    weekdays = frozenset(d % 7 for d in fields[4])
    return Schedule(
        text=" ".join(parts),
        cron=(fields[0], fields[1], fields[2], fields[3], weekdays),
        day_restricted=parts[2] != "*",
        weekday_restricted=parts[4] != "*",
    )
