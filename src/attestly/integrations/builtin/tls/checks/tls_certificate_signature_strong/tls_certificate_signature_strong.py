"""Fail on md5 and sha1 signatures."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable

WEAK = {"md5", "sha1", "md2"}


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["signature_hash"] in WEAK:
        return fail(f"signed with {item.data['signature_hash']}")
    return True
