"""Pass when a recorder is recording and its last status is not a failure."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    recorders = item.data["recorders"]
    if not recorders:
        return fail("no AWS Config recorder in this region")
    problems: list[str] = []
    for recorder in recorders:
        name = recorder.get("name") or "?"
        status = str(recorder.get("last_status") or "").upper()
        if not recorder.get("recording"):
            problems.append(f"{name} is not recording")
        elif status == "FAILURE":
            code = recorder.get("last_error_code") or "no error code"
            problems.append(f"{name}'s last delivery failed ({code})")
        else:
            return True
    return fail("; ".join(problems))
