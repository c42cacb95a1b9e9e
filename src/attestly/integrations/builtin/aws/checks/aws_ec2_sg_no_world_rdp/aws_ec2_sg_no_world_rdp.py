"""Fail when an ingress rule opens TCP 3389 to 0.0.0.0/0 or ::/0 (all traffic included)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._security_groups import verdict_for_port


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    return verdict_for_port(item.data, 3389, "RDP")
