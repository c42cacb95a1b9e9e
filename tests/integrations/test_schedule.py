from __future__ import annotations

import datetime as dt

import pytest

from attestly.integrations.schedule import ScheduleError, parse_schedule

T0 = dt.datetime(2026, 11, 20, 10, 17, 30, tzinfo=dt.UTC)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6h", dt.datetime(2026, 11, 20, 16, 17, 30, tzinfo=dt.UTC)),
        ("30m", dt.datetime(2026, 11, 20, 10, 47, 30, tzinfo=dt.UTC)),
        ("1d", dt.datetime(2026, 11, 21, 10, 17, 30, tzinfo=dt.UTC)),
        ("0 3 * * *", dt.datetime(2026, 11, 21, 3, 0, tzinfo=dt.UTC)),
        ("*/15 * * * *", dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)),
        ("0 9 * * 1-5", dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)),  # next Monday
        ("0 0 1 * *", dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)),
        ("30 2 29 2 *", dt.datetime(2028, 2, 29, 2, 30, tzinfo=dt.UTC)),
        ("0 12 1 * 0", dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)),  # day 1 OR Sunday
        ("0 0 * * 7", dt.datetime(2026, 11, 22, 0, 0, tzinfo=dt.UTC)),  # 7 is Sunday too
        ("5,45 10 * * *", dt.datetime(2026, 11, 20, 10, 45, tzinfo=dt.UTC)),
    ],
)
def test_next_run(text: str, expected: dt.datetime) -> None:
    assert parse_schedule(text).next_after(T0) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("often", "neither an interval"),
        ("10s", "the shortest interval is 1m"),
        ("61 * * * *", "minute: '61' is outside 0-59"),
        ("0 24 * * *", "hour: '24' is outside 0-23"),
        ("0 0 0 * *", "day: '0' is outside 1-31"),
        ("*/0 * * * *", "minute: step '0' must be a positive number"),
        ("0 0 * jan *", "month: 'jan' is not a number"),
        ("5-1 * * * *", "minute: '5-1' is outside"),
        ("0 0 31 2 *", "never runs"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(text).next_after(T0)
