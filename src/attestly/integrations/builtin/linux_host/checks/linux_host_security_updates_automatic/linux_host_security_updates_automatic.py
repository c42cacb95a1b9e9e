"""Pass when the distribution's automatic update mechanism is installed and enabled."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    mechanism = item.data.get("mechanism")
    if mechanism is None:
        return fail("no supported package manager (apt or dnf) found")
    if not item.data["installed"]:
        return fail(f"{mechanism} is not installed")
    if not item.data["enabled"]:
        return fail(f"{mechanism} is installed but not enabled ({item.data.get('detail', '')})")
    return True
