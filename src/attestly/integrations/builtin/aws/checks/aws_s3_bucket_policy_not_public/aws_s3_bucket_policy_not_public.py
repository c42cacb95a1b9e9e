"""Pass when no effective policy statement or ACL grant opens the bucket to everyone."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks.s3_exposure import public_exposure
from attestly.integrations.builtin.common import unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    return public_exposure(item.data)
