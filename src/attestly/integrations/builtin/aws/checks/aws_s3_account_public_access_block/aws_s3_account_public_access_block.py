"""Pass when the account's public access block has all four flags on."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks.s3_exposure import FLAGS, flags_off
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "public_access_block")) is not None:
        return error
    block = item.data.get("public_access_block")
    if not block:
        return fail("no account-level public access block is set")
    if off := flags_off(block):
        return fail(f"off at account level: {', '.join(off)} (of {len(FLAGS)})")
    return True
