"""Permissions shared by every API view: the permission matrix, token scope and MFA.

A view says what it needs in one of two ways:

- `required_actions = {"list": "control.read", "create": "control.write", ...}` keyed by
  viewset action (or by HTTP method, lower case, for plain API views), and/or
- `resource = "control"`: reads need `control.read`, unsafe methods `control.write`.

A view that declares neither needs `UNDECLARED`, which only owners hold: fail closed.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from attestly.accounts.models import ApiToken, TokenScope
from attestly.core.permissions import UNDECLARED


def required_action(view: Any, method: str) -> str:
    """The matrix action `view` needs for an HTTP `method`."""
    declared: dict[str, str] = getattr(view, "required_actions", {}) or {}
    name = getattr(view, "action", None)
    if name and name in declared:
        return declared[name]
    if method.lower() in declared:
        return declared[method.lower()]
    resource = getattr(view, "resource", None)
    if resource:
        return f"{resource}.read" if method in permissions.SAFE_METHODS else f"{resource}.write"
    return UNDECLARED


class ActionPermission(permissions.BasePermission):
    """The caller's role allows the view's action in at least one workspace in reach.

    The action is kept on the request, and `request_workspace_ids` then narrows querysets to
    the workspaces where the role allows it; rows elsewhere answer 404.
    """

    message = "Your role does not allow this here."

    def has_permission(self, request: Request, view: Any) -> bool:
        from attestly.core.scoping import request_workspace_roles

        if not request.user or not request.user.is_authenticated:
            return False
        action = required_action(view, request.method or "GET")
        request.attestly_action = action  # type: ignore[attr-defined]
        request._request.attestly_action = action  # type: ignore[attr-defined]
        allowed = bool(request_workspace_roles(request))
        if not allowed:
            self.message = f"Your role does not allow {action} in any of your workspaces."
        return allowed


class TokenScopePermission(permissions.BasePermission):
    """A read-only token may only read."""

    message = "This API token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == TokenScope.READ:
            return request.method in permissions.SAFE_METHODS
        return True


class MfaPermission(permissions.BasePermission):
    """A browser session of someone who must set up MFA may not use the API until they do."""

    message = "Set up multi-factor sign-in first: your workspace requires it (/account/mfa/)."

    def has_permission(self, request: Request, view: Any) -> bool:
        from attestly.web.access import mfa_setup_required

        if isinstance(request.auth, ApiToken):
            return True
        return not mfa_setup_required(request)


DEFAULT_PERMISSIONS = [
    permissions.IsAuthenticated,
    TokenScopePermission,
    MfaPermission,
    ActionPermission,
]
