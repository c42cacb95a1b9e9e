"""Dates in AWS evidence (ISO 8601 text), for checks judging an age against `ctx.now`."""

from __future__ import annotations

import datetime as dt
from typing import Any


def age_days(value: Any, now: dt.datetime) -> int | None:
    """Whole days from `value` (ISO text, naive means UTC) to `now`; None when there is none."""
    if not value:
        return None
    when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (now - when).days
