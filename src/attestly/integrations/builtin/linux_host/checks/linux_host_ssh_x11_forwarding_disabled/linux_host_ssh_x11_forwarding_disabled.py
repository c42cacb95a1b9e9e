"""Effective sshd setting x11forwarding, Match blocks included; n/a without sshd."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if not item.data["installed"]:
        return not_applicable("sshd is not installed")
    value = item.data["settings"].get("x11forwarding", "")
    if value != "no":
        return fail(f"x11forwarding is {value} in {item.data['source']}")
    for block in item.data.get("match_overrides") or []:
        override = block.get("x11forwarding")
        if override is not None and override != "no":
            return fail(f"Match {block['match']} sets x11forwarding {override}")
    return True
