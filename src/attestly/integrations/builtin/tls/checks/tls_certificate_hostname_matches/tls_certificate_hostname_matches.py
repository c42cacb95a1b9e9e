"""Pass when the SAN covers the server name."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["hostname_matches"]:
        return True
    names = ", ".join(item.data["san_dns"] + item.data["san_ip"]) or "none"
    return fail(f"{item.data['server_name']} is not among the certificate's names ({names})")
