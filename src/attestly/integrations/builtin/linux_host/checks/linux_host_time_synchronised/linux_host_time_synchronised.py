"""Pass when timedatectl says synchronised, or a time daemon is running."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data.get("synchronized") is True:
        return True
    if item.data.get("synchronized") is False:
        return fail("timedatectl reports the clock is not synchronised")
    if item.data.get("daemons"):
        return True
    return fail("no time synchronisation daemon (chronyd, systemd-timesyncd, ntpd) is running")
