"""Fail on any rule with auth_method md5."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    bad = [
        f"line {r['line_number']} ({r['type']} {r['address'] or ''})".replace(" )", ")")
        for r in item.data["rules"]
        if r["auth_method"] == "md5"
    ]
    if bad:
        return fail("md5 authentication: " + ", ".join(bad))
    return True
