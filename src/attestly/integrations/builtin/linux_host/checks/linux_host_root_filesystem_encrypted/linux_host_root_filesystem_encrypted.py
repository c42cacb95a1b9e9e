"""Pass when / is on dm-crypt; not applicable when / is not on a block device."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    root = item.data.get("root")
    if root is None:
        return not_applicable(item.data.get("root_note") or "/ is not on a block device")
    if root["encrypted"]:
        return True
    return fail(f"/ is on {root['device']} ({root['fstype']}) with no dm-crypt layer")
