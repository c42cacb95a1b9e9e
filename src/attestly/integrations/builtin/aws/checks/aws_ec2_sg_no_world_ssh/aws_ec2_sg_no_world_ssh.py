"""Fail when an ingress rule opens TCP 22 to 0.0.0.0/0 or ::/0 (a rule for all traffic included)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._security_groups import verdict_for_port


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    return verdict_for_port(item.data, 22, "SSH")
