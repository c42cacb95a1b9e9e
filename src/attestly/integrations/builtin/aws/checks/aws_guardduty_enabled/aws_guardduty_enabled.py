"""Pass when the region has a GuardDuty detector whose status is ENABLED."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    detectors = item.data["detectors"]
    if not detectors:
        return fail("no GuardDuty detector in this region")
    if any(str(d.get("status", "")).upper() == "ENABLED" for d in detectors):
        return True
    states = ", ".join(f"{d.get('id')} is {d.get('status') or 'unknown'}" for d in detectors)
    return fail(f"the GuardDuty detector is not enabled ({states})")
