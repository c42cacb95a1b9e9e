"""/api/v1/integrations/ (catalogue), /connections/ (CRUD, test, collect), /runs/.

Rows are scoped to the caller's workspaces (another workspace's ids answer 404); writes need a
write token and an owner, admin or editor role. Secrets are write-only: no response carries
them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.api.caching import cached_list
from attestly.api.filters import IdFilter
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.api.registry import RegistryViewSet
from attestly.checks.api.views import actor, body, require_writer, visible_workspace
from attestly.core.scoping import request_workspace_ids
from attestly.integrations.actions import (
    do_create_connection,
    do_delete_connection,
    do_request_collection,
    do_update_connection,
)
from attestly.integrations.api.serializers import (
    CollectionRunSerializer,
    ConnectionSerializer,
    ConnectionTestSerializer,
    IntegrationSerializer,
)
from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.queries import (
    CONNECTION_STATES,
    LIST_DEPENDS_ON,
    filter_connection_state,
    integration_data,
)
from attestly.integrations.registry import get_registry
from attestly.integrations.tasks import test_connection


@extend_schema_view(
    list=extend_schema(responses=IntegrationSerializer(many=True)),
    retrieve=extend_schema(responses=IntegrationSerializer),
)
class IntegrationViewSet(RegistryViewSet):
    """Installed integrations with their config JSON Schema, collectors and checks."""

    resource = "integration"
    serializer_class = IntegrationSerializer
    noun = "integration"

    def entries(self) -> Any:
        return get_registry()

    def describe(self, entry: Any) -> dict[str, Any]:
        return integration_data(entry)


class ConnectionFilter(django_filters.FilterSet):  # type: ignore[misc]
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    integration = django_filters.CharFilter(field_name="integration")
    state = django_filters.ChoiceFilter(
        choices=CONNECTION_STATES,
        method="filter_state",
        label="`error`: last run failed or partly failed; `ok`: succeeded; `never`: never run",
    )

    class Meta:
        model = Connection
        fields = ["workspace", "integration", "state"]

    def filter_state(self, qs: QuerySet[Connection], name: str, value: str) -> QuerySet[Connection]:
        return filter_connection_state(qs, value)


@cached_list(on=LIST_DEPENDS_ON)
class ConnectionViewSet(viewsets.ModelViewSet[Connection]):
    """Connections. POST takes `workspace_slug`, `integration`, `name`, `config` (secret
    fields included), `schedule`; PATCH merges `config` (omitted secrets are kept)."""

    resource = "integration"

    serializer_class = ConnectionSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = ConnectionFilter

    def get_queryset(self) -> QuerySet[Connection]:
        return Connection.objects.filter(
            workspace__in=request_workspace_ids(self.request)
        ).select_related("workspace")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = body(request)
        slug = data.get("workspace_slug") or data.get("workspace")
        if not isinstance(slug, str):
            raise exceptions.ValidationError({"workspace_slug": ["Give the workspace slug."]})
        workspace = visible_workspace(request, slug)
        require_writer(request, workspace)
        config = data.get("config") or {}
        if not isinstance(config, dict):
            raise exceptions.ValidationError({"config": ["An object of config fields."]})
        connection = do_create_connection(
            actor=actor(request),
            workspace=workspace,
            integration=str(data.get("integration", "")),
            name=str(data.get("name", "")),
            config=config,
            schedule=data.get("schedule"),
            enabled=bool(data.get("enabled", True)),
        )
        return Response(self.get_serializer(connection).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        connection = self.get_object()
        require_writer(request, connection.workspace)
        data = body(request)
        config = data.get("config")
        if config is not None and not isinstance(config, dict):
            raise exceptions.ValidationError({"config": ["An object of config fields."]})
        enabled = data.get("enabled")
        connection = do_update_connection(
            actor=actor(request),
            connection=connection,
            name=data.get("name"),
            config=config,
            schedule=data.get("schedule"),
            enabled=None if enabled is None else bool(enabled),
        )
        return Response(self.get_serializer(connection).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        connection = self.get_object()
        require_writer(request, connection.workspace)
        do_delete_connection(actor=actor(request), connection=connection)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ConnectionTestSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Test the connection: ok, unreachable, bad credentials, or the missing permission."""
        connection = self.get_object()
        require_writer(request, connection.workspace)
        result = test_connection(connection)
        return Response(
            {
                "status": result.status.value,
                "ok": result.ok,
                "message": result.message,
                "missing_permissions": list(result.missing_permissions),
            }
        )

    @extend_schema(request=None, responses=ConnectionSerializer)
    @action(detail=True, methods=["post"])
    def collect(self, request: Request, pk: str) -> Response:
        """Make the connection due now; the scheduler starts its run within a tick."""
        connection = self.get_object()
        require_writer(request, connection.workspace)
        connection = do_request_collection(
            actor=actor(request), connection=connection, now=timezone.now()
        )
        return Response(self.get_serializer(connection).data, status=status.HTTP_202_ACCEPTED)


class CollectionRunFilter(django_filters.FilterSet):  # type: ignore[misc]
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    connection = IdFilter(field_name="connection_id")
    status = django_filters.CharFilter(field_name="status")

    class Meta:
        model = CollectionRun
        fields = ["workspace", "connection", "status"]


@cached_list(on=LIST_DEPENDS_ON)
class CollectionRunViewSet(viewsets.ReadOnlyModelViewSet[CollectionRun]):
    """Collection runs: counts, duration, API calls, results per status, errors per collector."""

    resource = "integration"

    serializer_class = CollectionRunSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = CollectionRunFilter

    def get_queryset(self) -> QuerySet[CollectionRun]:
        return CollectionRun.objects.filter(
            workspace__in=request_workspace_ids(self.request)
        ).select_related("workspace")
