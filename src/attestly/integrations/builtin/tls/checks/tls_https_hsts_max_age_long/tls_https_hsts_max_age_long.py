"""Pass when HSTS max-age >= 180 days; not applicable without HTTPS or HSTS."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable

MINIMUM = 180 * 86400


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if not item.data["https"] or not item.data.get("hsts"):
        return not_applicable("no HSTS header to judge (see tls_https_hsts_enabled)")
    max_age = item.data.get("max_age") or 0
    if max_age >= MINIMUM:
        return True
    return fail(f"HSTS max-age is {max_age}s, under {MINIMUM}s")
