from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets

from attestly.api.caching import cached_list
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.core import datacache
from attestly.core.api.serializers import AuditEntrySerializer, WorkspaceSerializer
from attestly.core.models import AuditEntry, Membership, Workspace
from attestly.core.scoping import request_workspace_ids


class WorkspaceViewSet(viewsets.ReadOnlyModelViewSet[Workspace]):
    """Workspaces the caller is a member of. Others answer 404, never 403."""

    serializer_class = WorkspaceSerializer
    permission_classes = DEFAULT_PERMISSIONS
    resource = "workspace"
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


@cached_list(on=(datacache.EVERYTHING,))
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """Audit entries of the workspaces where the caller may read the audit log."""

    serializer_class = AuditEntrySerializer
    permission_classes = DEFAULT_PERMISSIONS
    required_actions = {"list": "audit.read", "retrieve": "audit.read"}

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return (
            AuditEntry.objects.filter(workspace_id__in=request_workspace_ids(self.request))
            .select_related("workspace")
            .order_by("-id")
        )
