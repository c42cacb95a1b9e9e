"""Resolving the workspace a request names, and refusing writes the caller may not make."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.core.scoping import can_edit_workspace, request_workspace_ids


def visible_workspace(request: Request, slug: Any, *, field: str = "workspace") -> Workspace:
    """The named workspace if the caller may see it; 400 naming the field otherwise.

    A workspace the caller cannot see is answered exactly like one that does not exist.
    """
    if not slug:
        raise exceptions.ValidationError({field: ["Name the workspace (its id, e.g. acme)."]})
    workspace = Workspace.objects.filter(
        slug=str(slug), pk__in=request_workspace_ids(request)
    ).first()
    if workspace is None:
        raise exceptions.ValidationError({field: [f"No workspace {slug!r}."]})
    return workspace


def require_edit(request: Request, workspace: Workspace) -> None:
    """Owners, admins and editors may change a workspace; viewers and others get 403."""
    if not can_edit_workspace(request.user, workspace):
        raise exceptions.PermissionDenied(
            f"Your role in {workspace.slug} does not allow changes (owner, admin or editor)."
        )


def strict_params(request: Request, allowed: set[str]) -> None:
    """For views without a filterset: unknown query parameters answer 400."""
    unknown = sorted(set(request.query_params) - allowed - {"format"})
    if unknown:
        raise exceptions.ValidationError(
            {unknown[0]: [f"Unknown parameter. Allowed: {', '.join(sorted(allowed))}."]}
        )


def acting_user(request: Request | HttpRequest) -> User:
    """The signed-in user making a write (views guarantee authentication before calling)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
