"""Fail on a password or active key not used (or, if never used, not created) within 45 days."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.aws.checks._dates import age_days
from attestly.integrations.builtin.common import fail, not_applicable

MAX_DAYS = 45


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    credentials = item.data.get("credentials")
    if credentials is None:
        return Verdict(Status.ERROR, "the user is not in the credential report yet")
    stale: list[str] = []
    had_any = False
    if credentials.get("password_enabled"):
        had_any = True
        last = credentials.get("password_last_used") or credentials.get("created")
        age = age_days(last, ctx.now)
        if age is not None and age > MAX_DAYS:
            used = "used" if credentials.get("password_last_used") else "never used, created"
            stale.append(f"console password {used} {age} days ago")
    for key in credentials.get("access_keys") or []:
        if not key.get("active"):
            continue
        had_any = True
        last = key.get("last_used") or key.get("last_rotated")
        age = age_days(last, ctx.now)
        if age is not None and age > MAX_DAYS:
            used = "used" if key.get("last_used") else "never used, created"
            stale.append(f"access key {key['slot']} {used} {age} days ago")
    if not had_any:
        return not_applicable("no console password and no active access key")
    return fail("; ".join(stale)) if stale else True
