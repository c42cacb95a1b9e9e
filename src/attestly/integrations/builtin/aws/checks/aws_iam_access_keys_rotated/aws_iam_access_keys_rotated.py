"""Fail on an active key whose last rotation is more than 90 days before the run."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.aws.checks._dates import age_days
from attestly.integrations.builtin.common import fail, not_applicable

MAX_DAYS = 90


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    credentials = item.data.get("credentials")
    if credentials is None:
        return Verdict(Status.ERROR, "the user is not in the credential report yet")
    active = [k for k in credentials.get("access_keys") or [] if k.get("active")]
    if not active:
        return not_applicable("no active access key")
    old: list[str] = []
    for key in active:
        days = age_days(key.get("last_rotated"), ctx.now)
        if days is not None and days > MAX_DAYS:
            old.append(f"access key {key['slot']} is {days} days old")
    return fail("; ".join(old)) if old else True
