"""Pass when the trail has a KMS key."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data.get("kms_key_id"):
        return True
    return fail("log files are not encrypted with a KMS key")
