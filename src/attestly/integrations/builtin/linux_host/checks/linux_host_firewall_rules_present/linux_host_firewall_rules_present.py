"""Pass when the firewall's rule count is above zero."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["rule_count"] > 0:
        return True
    return fail(f"{item.data.get('tool') or 'no firewall'}: 0 rules loaded")
