"""Pass when some trail is multi-region and logging."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    trails = item.data.get("trails") or []
    multi = [t for t in trails if t.get("multi_region")]
    if any(t.get("is_logging") is True for t in multi):
        return True
    unknown = [t["name"] for t in multi if t.get("is_logging") is None]
    if unknown:
        return Verdict(Status.ERROR, f"cannot read the status of {', '.join(unknown)}")
    if multi:
        return fail(
            "multi-region trails exist but none is logging: " + ", ".join(t["name"] for t in multi)
        )
    if trails:
        return fail(
            "no multi-region trail (only single-region: "
            + ", ".join(t["name"] for t in trails)
            + ")"
        )
    return fail("no CloudTrail trail")
