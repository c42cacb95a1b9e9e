"""Pass when no account has an empty password; error when /etc/shadow is unreadable."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "empty_password")) is not None:
        return error
    empty = item.data["empty_password"]
    if empty:
        return fail("empty password: " + ", ".join(empty))
    return True
