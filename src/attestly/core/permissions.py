"""The permission matrix: which role may do which action in a workspace.

This is data, read by the one API permission class (`attestly.api.permissions`) and the one
page guard (`attestly.web.access`), and rendered into docs/permissions.md. An API view or page
declares the action it needs; one that declares nothing needs `UNDECLARED`, which only owners
hold, so a forgotten declaration fails closed for everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attestly.core.models import Membership, Role

#: Actions with a one-line description each. Adding an action means adding it here.
ACTIONS: dict[str, str] = {
    "workspace.read": "See the workspace and its members",
    "catalog.read": "Browse frameworks, criteria and the control library",
    "control.read": "See adopted controls, their status and history",
    "control.write": "Adopt controls, set owners and status",
    "evidence.read": "See and download evidence",
    "evidence.upload": "Upload or import evidence",
    "check.read": "See checks and their results",
    "check.write": "Configure and run checks",
    "integration.read": "See connections and their state",
    "integration.write": "Add, change and remove connections",
    "task.read": "See every task in the workspace",
    "task.write": "Create and assign tasks",
    "task.own": "See and complete one's own tasks",
    "policy.accept": "Read and accept policies assigned to oneself",
    "member.manage": "Add people, change roles, remove members",
    "token.manage": "Create and revoke one's own API tokens for the workspace",
    "audit.read": "Read the workspace audit log",
    "settings.manage": "Change the workspace name and MFA requirement",
    "sso.manage": "Configure single sign-on and group-to-role mapping",
}

#: The action an API view or page needs when it declares none: owners only.
UNDECLARED = "undeclared"

_READS = {a for a in ACTIONS if a.endswith(".read") and a != "audit.read"}
_OWN = {"task.own", "policy.accept"}

MATRIX: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(ACTIONS) | {UNDECLARED},
    Role.ADMIN: frozenset(set(ACTIONS) - {"sso.manage"}),
    Role.EDITOR: frozenset(
        _READS
        | _OWN
        | {
            "control.write",
            "evidence.upload",
            "check.write",
            "task.write",
            "token.manage",
        }
    ),
    Role.VIEWER: frozenset(_READS | _OWN | {"token.manage"}),
    # Read-only everything, including the audit log; tokens they make are read-only anyway.
    Role.AUDITOR: frozenset(_READS | {"audit.read", "token.manage"}),
    Role.EMPLOYEE: frozenset(_OWN),
}


def is_known(action: str) -> bool:
    return action in ACTIONS or action == UNDECLARED


def role_allows(role: str | None, action: str) -> bool:
    """Whether `role` may do `action`. No role (not a member) may do nothing."""
    if role is None:
        return False
    return action in MATRIX.get(role, frozenset())


def user_can(user: Any, workspace: Any, action: str) -> bool:
    """Whether `user`'s role in `workspace` allows `action` (for "show the edit button")."""
    if workspace is None or not getattr(user, "is_authenticated", False):
        return False
    role = (
        Membership.objects.filter(user_id=user.pk, workspace=workspace)
        .values_list("role", flat=True)
        .first()
    )
    return role_allows(role, action)


def roles_with(action: str) -> list[str]:
    """The roles that may do `action`, strongest first."""
    return [role for role in Role.values if action in MATRIX[role]]


def matrix_markdown(actions: Iterable[str] | None = None) -> str:
    """The matrix as a Markdown table, for docs/permissions.md."""
    roles = list(Role.values)
    lines = [
        "| action | what it allows | " + " | ".join(roles) + " |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for action in actions or ACTIONS:
        cells = ["yes" if action in MATRIX[role] else "no" for role in roles]
        lines.append(f"| `{action}` | {ACTIONS[action]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
