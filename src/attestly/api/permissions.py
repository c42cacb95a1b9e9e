"""Permissions shared by every API view."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from attestly.accounts.models import ApiToken, TokenScope


class TokenScopePermission(permissions.BasePermission):
    """A read-only token may only read."""

    message = "This API token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == TokenScope.READ:
            return request.method in permissions.SAFE_METHODS
        return True


DEFAULT_PERMISSIONS = [permissions.IsAuthenticated, TokenScopePermission]
