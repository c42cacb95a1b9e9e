"""Pass when the journal is persistent or a syslog daemon runs."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["journal_persistent"] or item.data.get("syslog_daemons"):
        return True
    return fail(f"journald Storage={item.data['journald_storage']} and no syslog daemon runs")
