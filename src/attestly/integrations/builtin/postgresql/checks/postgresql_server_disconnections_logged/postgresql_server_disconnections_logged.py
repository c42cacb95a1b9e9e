"""Pass when log_disconnections is on."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    if settings.get("log_disconnections") == "on":
        return True
    return fail(f"log_disconnections is {settings.get('log_disconnections', 'unset')}")
