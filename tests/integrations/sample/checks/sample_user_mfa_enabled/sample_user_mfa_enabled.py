from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict:
    if item.data.get("mfa") is True:
        return True
    return Verdict(Status.FAIL, f"{item.data.get('login')} has no MFA")
