"""Pass when the minimum TLS version is 1.2 or newer."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    settings = item.data["settings"]
    if settings.get("ssl_min_protocol_version") in {"TLSv1.2", "TLSv1.3"}:
        return True
    return fail(f"ssl_min_protocol_version is {settings.get('ssl_min_protocol_version', 'unset')}")
