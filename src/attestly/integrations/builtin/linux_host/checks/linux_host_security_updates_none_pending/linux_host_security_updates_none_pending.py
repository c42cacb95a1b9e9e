"""Pass when no security update is pending."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data.get("manager") is None:
        return not_applicable("no supported package manager (apt or dnf)")
    pending = item.data["security"]
    if not pending:
        return True
    shown = ", ".join(pending[:10]) + (
        f" and {len(pending) - 10} more" if len(pending) > 10 else ""
    )
    return fail(f"{len(pending)} security updates pending: {shown}")
