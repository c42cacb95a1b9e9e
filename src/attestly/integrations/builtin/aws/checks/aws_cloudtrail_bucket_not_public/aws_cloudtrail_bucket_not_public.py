"""Pass when the trail's log bucket is not public; error when it cannot be read."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.aws.checks.s3_exposure import public_exposure
from attestly.integrations.builtin.common import not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    bucket = item.data.get("log_bucket")
    if not bucket:
        return not_applicable("the trail names no S3 bucket")
    if bucket.get("error"):
        return Verdict(Status.ERROR, f"log bucket {bucket.get('name')}: {bucket['error']}")
    if bucket.get("missing"):
        return not_applicable(f"log bucket {bucket.get('name')} does not exist")
    return public_exposure(bucket)
