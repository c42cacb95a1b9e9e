"""Pass when a firewall tool reports an active ruleset."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["active"]:
        return True
    found = ", ".join(item.data.get("tools_found") or []) or "none installed"
    return fail(f"no active firewall (tools: {found})")
