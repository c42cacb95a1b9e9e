"""Fail when any policy's source is the user itself."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    own = [
        f"{p['type']} {p['name']}"
        for p in item.data.get("policies") or []
        if p.get("source") == "user"
    ]
    return fail("policies attached to the user: " + ", ".join(own)) if own else True
