"""Pass when automatic rotation is on for a rotatable customer key."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, not_applicable, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data, "rotation")) is not None:
        return error
    data = item.data
    if data.get("manager") != "CUSTOMER":
        return not_applicable("AWS-managed key: AWS rotates it")
    if data.get("spec") != "SYMMETRIC_DEFAULT":
        return not_applicable(f"{data.get('spec')} keys cannot rotate automatically")
    if data.get("origin") != "AWS_KMS":
        return not_applicable(f"key material from {data.get('origin')} cannot rotate automatically")
    if data.get("state") != "Enabled":
        return not_applicable(f"key is {data.get('state')}")
    rotation = data.get("rotation") or {}
    if rotation.get("enabled") is True:
        return True
    return fail("automatic rotation is off")
