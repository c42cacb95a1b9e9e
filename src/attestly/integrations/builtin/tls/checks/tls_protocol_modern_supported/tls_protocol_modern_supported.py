"""Pass when TLS 1.2 or 1.3 is accepted."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["tls1_2"]["accepted"] or item.data["tls1_3"]["accepted"]:
        return True
    return fail("neither TLS 1.2 nor TLS 1.3 is accepted")
