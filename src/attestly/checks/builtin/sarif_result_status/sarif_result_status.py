"""SARIF result kind to a verdict (SARIF 2.1.0 §3.27.9: kind defaults to fail)."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence

_NOT_APPLICABLE = frozenset({"notApplicable", "informational"})


def evaluate(item: Evidence, ctx: Context) -> bool | None:
    kind = item.data.get("kind", "fail")
    if kind == "pass":
        return True
    if kind in _NOT_APPLICABLE:
        return None
    return False
