"""Pass when deletion protection is on: the instance's, or for an Aurora member its cluster's
(an Aurora member's own flag does not protect the cluster's data)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._rds import boolean
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    value, whose = boolean(
        item.data, "deletion_protection", "deletion protection", cluster_level=True
    )
    if value is False:
        return fail(f"deletion protection is off on the {whose}")
    return value
