"""Not applicable without a console password; fail when a password has no MFA."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, not_applicable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    credentials = item.data.get("credentials")
    if credentials is None:
        return Verdict(Status.ERROR, "the user is not in the credential report yet")
    if not credentials.get("password_enabled"):
        return not_applicable("no console password")
    if credentials.get("mfa_active"):
        return True
    return fail("console password without MFA")
