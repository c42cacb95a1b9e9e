"""Pass when one or no login role is superuser; the lists are kept as evidence."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    login = set(item.data["login_roles"])
    supers = [name for name in item.data["superusers"] if name in login]
    if len(supers) <= 1:
        return True
    return fail(f"{len(supers)} login superusers: " + ", ".join(supers))
