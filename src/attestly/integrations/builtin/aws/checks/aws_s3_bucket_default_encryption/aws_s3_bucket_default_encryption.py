"""Pass when the bucket has a default encryption rule."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "encryption")) is not None:
        return error
    rules = (item.data.get("encryption") or {}).get("rules") or []
    algorithms = [
        (rule.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for rule in rules
    ]
    if not any(algorithms):
        return fail("no default encryption rule")
    return True
