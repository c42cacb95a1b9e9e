"""OCSF status_code PASS/FAIL to a verdict."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence


def evaluate(item: Evidence, ctx: Context) -> bool | None:
    code = item.data.get("status_code")
    if code == "PASS":
        return True
    if code == "FAIL":
        return False
    return None
