"""Fail when the instance is publicly accessible (a per-instance setting, Aurora included)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.aws.checks._rds import boolean
from attestly.integrations.builtin.common import fail


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    value, _whose = boolean(item.data, "publicly_accessible", "public accessibility")
    if isinstance(value, Verdict):
        return value
    if value:
        address = (item.data.get("endpoint") or {}).get("address")
        return fail(f"publicly accessible{f' at {address}' if address else ''}")
    return True
