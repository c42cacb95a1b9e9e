"""Pass while an uploaded file's valid-until date lies ahead of the run's time."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if item.valid_until is None:
        return None
    if item.valid_until < ctx.now:
        return Verdict(Status.FAIL, f"expired on {item.valid_until.date().isoformat()}")
    return True
