"""Fail on host/hostnossl rules for addresses other than loopback."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable

LOCAL = {"127.0.0.1", "::1", "localhost"}


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    bad = [
        f"line {r['line_number']} ({r['type']} {r['address'] or ''})".replace(" )", ")")
        for r in item.data["rules"]
        if r["type"] in {"host", "hostnossl"} and (r["address"] or "") not in LOCAL
    ]
    if bad:
        return fail("network rules without TLS: " + ", ".join(bad))
    return True
