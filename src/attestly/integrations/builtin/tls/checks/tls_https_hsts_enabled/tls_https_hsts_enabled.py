"""Pass when HSTS has max-age > 0; not applicable on non-HTTPS endpoints."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if not item.data["https"]:
        return not_applicable("not an HTTPS endpoint")
    if not item.data.get("hsts"):
        return fail(f"no Strict-Transport-Security header (HTTP {item.data.get('status')})")
    if not item.data.get("max_age"):
        return fail(f"HSTS max-age is 0 or missing: {item.data['hsts']}")
    return True
