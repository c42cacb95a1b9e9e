"""Pass when versioning is Enabled (Suspended or never enabled fails)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "versioning")) is not None:
        return error
    status = (item.data.get("versioning") or {}).get("status")
    if status == "Enabled":
        return True
    return fail(f"versioning is {(status or 'never enabled').lower()}")
