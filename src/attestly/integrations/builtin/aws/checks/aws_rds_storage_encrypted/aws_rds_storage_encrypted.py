"""Pass when the instance's storage is encrypted (for Aurora members it mirrors the cluster's)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._rds import boolean
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    value, whose = boolean(item.data, "storage_encrypted", "storage encryption")
    if value is False:
        return fail(f"the {whose} stores its data unencrypted")
    return value
