"""Pass when server access logging is configured."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "logging")) is not None:
        return error
    logging = item.data.get("logging")
    if not logging or not logging.get("target_bucket"):
        return fail("server access logging is off")
    return True
