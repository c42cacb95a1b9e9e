"""Pass when the bucket policy denies everyone every action over plain HTTP."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks.s3_exposure import denies_plain_http
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "policy")) is not None:
        return error
    policy = item.data.get("policy")
    if policy is None:
        return fail("no bucket policy, so plain HTTP requests are not denied")
    if denies_plain_http(policy):
        return True
    return fail(
        "the bucket policy has no Deny of s3:* to everyone when aws:SecureTransport is false"
    )
