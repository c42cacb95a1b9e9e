"""Pass when every data filesystem is on dm-crypt; not applicable when there is none."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    data = item.data.get("data") or []
    if not data:
        return not_applicable("no data filesystems besides / and /boot")
    plain = [f"{fs['mountpoint']} ({fs['device']})" for fs in data if not fs["encrypted"]]
    if plain:
        return fail("not encrypted: " + ", ".join(plain))
    return True
