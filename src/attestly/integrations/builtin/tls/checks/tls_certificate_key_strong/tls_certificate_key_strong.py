"""Pass for RSA/DSA >= 2048 bits, EC >= 256 bits, EdDSA."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable

MINIMUM = {"RSA": 2048, "DSA": 2048, "EC": 256, "EdDSA": 256}


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    key_type, bits = item.data["key_type"], item.data["key_bits"]
    if bits >= MINIMUM.get(key_type, 10**6):
        return True
    return fail(f"{key_type} key of {bits} bits")
