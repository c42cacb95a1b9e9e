"""Fail when a policy attached to the user itself (managed or inline) grants `*` on `*`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail

ADMIN_ARNS = frozenset(
    {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
    }
)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants_everything(document: Any) -> bool:
    """A policy document with an Allow statement of Action `*` on Resource `*`, unconditioned."""
    if not isinstance(document, Mapping):
        return False
    statements: Iterable[Any] = _listed(document.get("Statement") or [])
    for statement in statements:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if statement.get("Condition"):
            continue
        actions = _listed(statement.get("Action") or [])
        resources = _listed(statement.get("Resource") or [])
        if "*" in actions and "*" in resources:
            return True
    return False


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    found = [
        f"{p['type']} policy {p['name']}"
        for p in item.data.get("policies") or []
        if p.get("source") == "user"
        and (p.get("arn") in ADMIN_ARNS or grants_everything(p.get("document")))
    ]
    return fail("administrator rights attached to the user: " + ", ".join(found)) if found else True
