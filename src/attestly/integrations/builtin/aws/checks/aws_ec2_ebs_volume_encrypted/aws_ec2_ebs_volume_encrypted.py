"""Pass when the volume is encrypted."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    encrypted = item.data.get("encrypted")
    if encrypted is True:
        return True
    if encrypted is False:
        attached = [a.get("instance_id") for a in item.data.get("attachments") or []]
        where = f", attached to {', '.join(map(str, attached))}" if attached else ""
        return fail(f"the volume is not encrypted{where}")
    return Verdict(Status.ERROR, "the volume's encryption was not recorded")
