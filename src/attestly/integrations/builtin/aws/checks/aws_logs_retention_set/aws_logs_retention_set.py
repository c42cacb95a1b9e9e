"""Pass when the group never expires events, or keeps them at least 365 days."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable

MIN_DAYS = 365


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    days = item.data.get("retention_days")
    if days is None:
        return True  # no retention policy: events are kept forever
    if not isinstance(days, int) or isinstance(days, bool):
        raise ValueError(f"retention_days is {days!r}, not a number of days")
    if days >= MIN_DAYS:
        return True
    return fail(f"events are deleted after {days} days (at least {MIN_DAYS} required)")
