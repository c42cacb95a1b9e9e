"""Pass when the bucket's block, or the account's, has all four flags on."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks.s3_exposure import flags_off
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    account = item.data.get("account_public_access_block")
    if account and not account.get("error") and not flags_off(account):
        return True
    if (error := unreadable(item.data, "public_access_block")) is not None:
        return error
    block = item.data.get("public_access_block")
    if not block:
        return fail("no public access block on the bucket or the account")
    if off := flags_off(block):
        return fail(f"off on the bucket (and not covered by the account): {', '.join(off)}")
    return True
