"""Fail on any rule that carries a parse error."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    bad = [
        f"line {r['line_number']} ({r['type']} {r['address'] or ''})".replace(" )", ")")
        for r in item.data["rules"]
        if r["error"]
    ]
    if bad:
        return fail("lines with errors: " + ", ".join(bad))
    return True
