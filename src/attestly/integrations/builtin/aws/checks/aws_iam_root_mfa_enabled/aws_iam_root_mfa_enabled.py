"""Pass when the account summary (or the credential report's root row) shows root MFA."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    root = item.data.get("root") or {}
    if item.data.get("root_mfa_enabled") or root.get("mfa_active"):
        return True
    return fail("the root user has no MFA device")
