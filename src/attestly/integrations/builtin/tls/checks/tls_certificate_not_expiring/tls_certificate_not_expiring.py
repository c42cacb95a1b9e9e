"""Compare notAfter with the run's time plus the threshold recorded in the evidence."""

from __future__ import annotations

import datetime as dt

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    not_after = dt.datetime.fromisoformat(item.data["not_after"])
    if not_after <= ctx.now:
        return fail(f"expired on {not_after.date().isoformat()}")
    days = (not_after - ctx.now).days
    threshold = int(item.data.get("expiry_threshold_days", 30))
    if days < threshold:
        return fail(f"expires on {not_after.date().isoformat()}, in {days} days (< {threshold})")
    return True
