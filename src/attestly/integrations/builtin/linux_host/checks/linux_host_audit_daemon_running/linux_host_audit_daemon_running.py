"""Pass when auditd runs with rules; error when rules are only readable by root."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "audit_rules")) is not None:
        return error
    if not item.data["auditd_running"]:
        return fail("auditd is not running")
    if item.data.get("audit_rules") == 0:
        return fail("auditd runs with no audit rules loaded")
    return True
