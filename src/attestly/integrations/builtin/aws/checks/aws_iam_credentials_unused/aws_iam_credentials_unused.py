"""Fail on a password or active key not used (or, if never used, not created) within 45 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, not_applicable

MAX_DAYS = 45


def _age(value: Any, now: dt.datetime) -> int | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return (now - when).days


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    credentials = item.data.get("credentials")
    if credentials is None:
        return Verdict(Status.ERROR, "the user is not in the credential report yet")
    stale: list[str] = []
    had_any = False
    if credentials.get("password_enabled"):
        had_any = True
        last = credentials.get("password_last_used") or credentials.get("created")
        age = _age(last, ctx.now)
        if age is not None and age > MAX_DAYS:
            used = "used" if credentials.get("password_last_used") else "never used, created"
            stale.append(f"console password {used} {age} days ago")
    for key in credentials.get("access_keys") or []:
        if not key.get("active"):
            continue
        had_any = True
        last = key.get("last_used") or key.get("last_rotated")
        age = _age(last, ctx.now)
        if age is not None and age > MAX_DAYS:
            used = "used" if key.get("last_used") else "never used, created"
            stale.append(f"access key {key['slot']} {used} {age} days ago")
    if not had_any:
        return not_applicable("no console password and no active access key")
    return fail("; ".join(stale)) if stale else True
