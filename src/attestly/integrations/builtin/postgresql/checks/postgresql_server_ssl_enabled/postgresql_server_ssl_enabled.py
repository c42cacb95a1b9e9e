"""Pass when ssl = on."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    if settings.get("ssl") == "on":
        return True
    return fail(f"ssl is {settings.get('ssl', 'unset')}")
