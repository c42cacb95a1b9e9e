"""Pass when log_statement covers DDL."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    if settings.get("log_statement") in {"ddl", "mod", "all"}:
        return True
    return fail(f"log_statement is {settings.get('log_statement', 'unset')}")
