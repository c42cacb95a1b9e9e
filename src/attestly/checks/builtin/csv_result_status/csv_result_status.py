"""The CSV format's status column to a verdict."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict

_ERROR = Verdict(Status.ERROR, "the importing tool could not evaluate this resource")


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    status = item.data.get("status")
    if status == "pass":
        return True
    if status == "fail":
        return False
    if status == "error":
        return _ERROR
    return None
