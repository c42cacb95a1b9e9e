"""Pass when the chain verified."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail, unreadable


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    if (error := unreadable(item.data)) is not None:
        return error
    if item.data["chain_valid"]:
        return True
    return fail(
        f"chain does not verify against {item.data['ca_bundle']} CAs: {item.data['chain_error']}"
    )
