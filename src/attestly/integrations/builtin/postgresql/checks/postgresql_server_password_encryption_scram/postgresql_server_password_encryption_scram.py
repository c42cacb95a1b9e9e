"""Pass when password_encryption is scram-sha-256."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    if settings.get("password_encryption") == "scram-sha-256":
        return True
    return fail(f"password_encryption is {settings.get('password_encryption', 'unset')}")
