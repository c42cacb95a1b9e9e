"""Fail when the account summary counts root keys or the root row has an active key."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    root = item.data.get("root") or {}
    active = [k["slot"] for k in root.get("access_keys") or [] if k.get("active")]
    if item.data.get("root_access_keys_present") or active:
        slots = f" (key slot {', '.join(map(str, active))})" if active else ""
        return fail(f"the root user has an access key{slots}")
    return True
