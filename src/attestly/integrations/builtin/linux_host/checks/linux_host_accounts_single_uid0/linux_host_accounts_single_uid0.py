"""Pass when the only UID 0 account is root."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    others = [name for name in item.data["uid0"] if name != "root"]
    if others:
        return fail("UID 0 besides root: " + ", ".join(others))
    return True
