"""Workspace scoping: the one place that decides which rows a user may see.

Every model reachable from a request uses `WorkspaceScopedManager` (or a queryset built on
`WorkspaceScopedQuerySet`), and API views and pages get their rows through `visible_to(user)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from attestly.accounts.models import User

M = TypeVar("M", bound=models.Model)


def visible_workspace_ids(user: User | AnonymousUser) -> models.QuerySet[Any]:
    """Ids of the workspaces `user` is a member of, as a subquery."""
    from attestly.core.models import Membership

    if not user.is_authenticated:
        return Membership.objects.none().values("workspace_id")
    return Membership.objects.filter(user_id=user.pk).values("workspace_id")


class WorkspaceScopedQuerySet(models.QuerySet[M], Generic[M]):
    """A queryset of rows that carry a `workspace` foreign key."""

    workspace_field = "workspace"

    def visible_to(self, user: User | AnonymousUser) -> WorkspaceScopedQuerySet[M]:
        """Rows in workspaces the user is a member of."""
        return self.filter(**{f"{self.workspace_field}__in": visible_workspace_ids(user)})

    def in_workspace(self, workspace: Any) -> WorkspaceScopedQuerySet[M]:
        return self.filter(**{self.workspace_field: workspace})


class WorkspaceScopedManager(models.Manager[M], Generic[M]):
    """Manager exposing `visible_to` and `in_workspace` on any workspace-owned model."""

    def get_queryset(self) -> WorkspaceScopedQuerySet[M]:
        return WorkspaceScopedQuerySet(self.model, using=self._db)

    def visible_to(self, user: User | AnonymousUser) -> WorkspaceScopedQuerySet[M]:
        return self.get_queryset().visible_to(user)

    def in_workspace(self, workspace: Any) -> WorkspaceScopedQuerySet[M]:
        return self.get_queryset().in_workspace(workspace)


MEMBERSHIPS_ATTR = "_attestly_memberships"


def _http_request(request: Any) -> Any:
    return getattr(request, "_request", request)  # DRF's Request wraps Django's


def remember_memberships(request: Any, roles: dict[int, str]) -> None:
    setattr(_http_request(request), MEMBERSHIPS_ATTR, (request.user.pk, roles))


def request_memberships(request: Any) -> dict[int, str]:
    """{workspace id: role} of the signed-in user, read once per request (for its user)."""
    from attestly.core.hotpath import memberships

    user = request.user
    if not user.is_authenticated:
        return {}
    kept = getattr(_http_request(request), MEMBERSHIPS_ATTR, None)
    if kept is not None and kept[0] == user.pk:
        roles: dict[int, str] = kept[1]
        return roles
    roles, versions = memberships(user.pk)
    remember_memberships(request, roles)
    if request.method in ("GET", "HEAD"):  # a write must not be judged by the version before it
        from attestly.core import datacache

        datacache.remember_versions(versions)
    return roles


def request_workspace_roles(request: Any) -> list[tuple[int, str]]:
    """(workspace id, role) pairs of `request_workspace_ids`, sorted, without a queryset."""
    from attestly.core.permissions import roles_with

    action = getattr(request, "attestly_action", None)
    allowed = roles_with(action) if action is not None else None
    token_workspace = getattr(getattr(request, "auth", None), "workspace_id", None)
    return sorted(
        (pk, role)
        for pk, role in request_memberships(request).items()
        if (allowed is None or role in allowed)
        and (token_workspace is None or pk == token_workspace)
    )


def request_workspace_ids(request: Any) -> models.QuerySet[Any]:
    """Workspaces a request may see: the user's memberships, narrowed by a workspace token.

    When the API permission class has settled the action the request needs (see
    `attestly.api.permissions.ActionPermission`), only workspaces where the user's role allows
    that action remain, so every queryset built on this helper follows the permission matrix.
    """
    from attestly.core.permissions import roles_with

    ids = visible_workspace_ids(request.user)
    action = getattr(request, "attestly_action", None)
    if action is not None:
        ids = ids.filter(role__in=roles_with(action))
    token = getattr(request, "auth", None)
    token_workspace = getattr(token, "workspace_id", None)
    if token_workspace is not None:
        ids = ids.filter(workspace_id=token_workspace)
    return ids


def can_edit_workspace(user: User | AnonymousUser, workspace: Any) -> bool:
    """Whether `user` may change a workspace's controls: the permission matrix decides."""
    from attestly.core.permissions import user_can

    return user_can(user, workspace, "control.write")
