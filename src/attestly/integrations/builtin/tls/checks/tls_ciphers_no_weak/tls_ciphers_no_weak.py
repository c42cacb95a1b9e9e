"""Fail when a weak family was accepted; families not testable locally are named in the detail."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Status, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    probes = item.data["probes"]
    accepted = [f"{p['category']} ({p['cipher']})" for p in probes if p["accepted"]]
    if accepted:
        return fail("weak suites accepted: " + ", ".join(accepted))
    if all(p["accepted"] is None for p in probes):
        return Verdict(
            Status.ERROR, "no weak cipher family could be tested: local OpenSSL lacks them"
        )
    return True
