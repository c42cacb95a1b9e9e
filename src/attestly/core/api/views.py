from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.core.api.serializers import WorkspaceSerializer
from attestly.core.models import Membership, Workspace
from attestly.core.scoping import request_workspace_ids


class WorkspaceViewSet(viewsets.ReadOnlyModelViewSet[Workspace]):
    """Workspaces the caller is a member of. Others answer 404, never 403."""

    serializer_class = WorkspaceSerializer
    permission_classes = DEFAULT_PERMISSIONS
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Workspace]:
        return Workspace.objects.filter(pk__in=request_workspace_ids(self.request)).order_by("slug")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request.user.is_authenticated:
            context["roles"] = dict(
                Membership.objects.filter(user=self.request.user).values_list(
                    "workspace_id", "role"
                )
            )
        return context
