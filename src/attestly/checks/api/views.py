"""/api/v1/checks/, /check-results/, /check-exceptions/, /check-mappings/.

Every row is scoped to the caller's workspaces; another workspace's ids answer 404.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.accounts.models import User
from attestly.api.caching import cached_list
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.api.registry import RegistryViewSet
from attestly.checks.actions import (
    do_delete_check_mapping,
    do_grant_exception,
    do_revoke_exception,
    do_set_check_mapping,
)
from attestly.checks.api.serializers import (
    CheckExceptionSerializer,
    CheckMappingSerializer,
    CheckResultSerializer,
    CheckSerializer,
    PeriodRowSerializer,
    ReplaySerializer,
    check_data,
)
from attestly.checks.models import CheckException, CheckMapping, CheckResult, RollupLevel
from attestly.checks.queries import LIST_DEPENDS_ON, period_summary, replay
from attestly.checks.registry import get_registry
from attestly.core.models import Membership, Role, Workspace
from attestly.core.scoping import request_workspace_ids

WRITERS = (Role.OWNER, Role.ADMIN, Role.EDITOR)


def actor(request: Request) -> User:
    """The signed-in user making a write (the permission classes refuse anonymous callers)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def body(request: Request) -> dict[str, Any]:
    return dict(request.data) if isinstance(request.data, dict) else {}


def require_writer(request: Request, workspace: Workspace) -> None:
    """Owners, admins and editors change check data; viewers and auditors only read."""
    if not Membership.objects.filter(
        workspace=workspace, user=actor(request), role__in=WRITERS
    ).exists():
        raise exceptions.PermissionDenied("Your role in this workspace cannot change checks.")


def visible_workspace(request: Request, slug: str) -> Workspace:
    workspace = Workspace.objects.filter(pk__in=request_workspace_ids(request), slug=slug).first()
    if workspace is None:
        raise exceptions.NotFound(f"No workspace {slug!r}.")
    return workspace


@extend_schema_view(
    list=extend_schema(responses=CheckSerializer(many=True)),
    retrieve=extend_schema(responses=CheckSerializer),
)
class CheckViewSet(RegistryViewSet):
    """Registered checks (built-in, integrations', your declarative ones)."""

    resource = "check"
    serializer_class = CheckSerializer
    noun = "check"

    def entries(self) -> Any:
        return get_registry()

    def describe(self, entry: Any) -> dict[str, Any]:
        return check_data(entry)


class CheckResultFilter(django_filters.FilterSet):  # type: ignore[misc]
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    check = django_filters.CharFilter(field_name="check_id")
    status = django_filters.CharFilter(field_name="status", label="Stored status")
    resource = django_filters.CharFilter(field_name="resource_key")
    current = django_filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = CheckResult
        fields = ["workspace", "check", "status", "resource", "current"]


@cached_list(on=LIST_DEPENDS_ON)
class CheckResultViewSet(viewsets.ReadOnlyModelViewSet[CheckResult]):
    """Results as intervals of unchanged status. `?current=true` for the latest only."""

    resource = "check"

    serializer_class = CheckResultSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = CheckResultFilter

    def get_queryset(self) -> QuerySet[CheckResult]:
        # Most callers see one workspace: naming it (rather than a subquery of memberships)
        # lets the database read a page in index order instead of sorting every interval.
        visible = list(
            Workspace.objects.filter(pk__in=request_workspace_ids(self.request)).values_list(
                "pk", flat=True
            )
        )
        results = (
            CheckResult.objects.filter(workspace_id=visible[0])
            if len(visible) == 1
            else CheckResult.objects.filter(workspace_id__in=visible)
        )
        return results.select_related("workspace").order_by(
            "check_id", "resource_key", "-first_seen"
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["excepted"] = set(
            CheckException.objects.filter(
                workspace__in=request_workspace_ids(self.request),
                revoked_at__isnull=True,
                expires_on__gte=timezone.now().date(),
            ).values_list("workspace_id", "check_id", "resource_key")
        )
        return context

    @extend_schema(responses=ReplaySerializer)
    @action(detail=True, methods=["get"])
    def replay(self, request: Request, pk: str) -> Response:
        """Re-run the result's check over the evidence it read, as of when it was last seen."""
        outcome = replay(self.get_object())
        return Response(
            {
                **{k: v for k, v in dataclasses.asdict(outcome).items() if k != "result"},
                "result": outcome.result.pk,
                "same": outcome.same,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("workspace", str, required=True),
            OpenApiParameter("level", str, enum=RollupLevel.values),
            OpenApiParameter("start", dt.date, required=True),
            OpenApiParameter("end", dt.date, required=True),
        ],
        responses=PeriodRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def period(self, request: Request) -> Response:
        """Per check, control or criterion over a period: days failing and result totals."""
        params = request.query_params
        try:
            start = dt.date.fromisoformat(params["start"])
            end = dt.date.fromisoformat(params["end"])
            workspace_slug = params["workspace"]
        except (KeyError, ValueError):
            raise exceptions.ValidationError(
                {"detail": "Give workspace, start and end (YYYY-MM-DD)."}
            ) from None
        level = params.get("level", RollupLevel.CHECK)
        if level not in RollupLevel.values:
            raise exceptions.ValidationError({"level": [f"One of {RollupLevel.values}."]})
        rows = period_summary(visible_workspace(request, workspace_slug), level, start, end)
        return Response([dataclasses.asdict(r) for r in rows])


class CheckExceptionViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet[CheckException]
):
    """Accepted failures. POST with a result id; DELETE revokes (the row stays as history)."""

    resource = "check"

    serializer_class = CheckExceptionSerializer
    permission_classes = DEFAULT_PERMISSIONS

    def get_queryset(self) -> QuerySet[CheckException]:
        return CheckException.objects.filter(
            workspace__in=request_workspace_ids(self.request)
        ).select_related("workspace", "approver", "created_by")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.now().date()}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = CheckResult.objects.filter(
            pk=data["result"], workspace__in=request_workspace_ids(request)
        ).first()
        if result is None:
            raise exceptions.NotFound("No such result.")
        require_writer(request, result.workspace)
        approver = User.objects.filter(username=data["approver"]["username"]).first()
        if approver is None:
            raise exceptions.ValidationError({"approver": ["No such user."]})
        exception = do_grant_exception(
            actor=actor(request),
            workspace=result.workspace,
            check_id=result.check_id,
            resource_key=result.resource_key,
            reason=data["reason"],
            approver=approver,
            expires_on=data["expires_on"],
        )
        return Response(self.get_serializer(exception).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exception = self.get_object()
        require_writer(request, exception.workspace)
        do_revoke_exception(actor=actor(request), exception=exception)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckMappingFilter(django_filters.FilterSet):  # type: ignore[misc]
    workspace = django_filters.CharFilter(field_name="workspace__slug")

    class Meta:
        model = CheckMapping
        fields = ["workspace"]


class CheckMappingViewSet(viewsets.ModelViewSet[CheckMapping]):
    """A workspace's own mappings of imported check ids to library controls."""

    resource = "check"

    serializer_class = CheckMappingSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = CheckMappingFilter
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[CheckMapping]:
        return CheckMapping.objects.filter(
            workspace__in=request_workspace_ids(self.request)
        ).select_related("workspace")

    def _save(self, request: Request, workspace: Workspace, check_id: str) -> CheckMapping:
        serializer = self.get_serializer(data={**body(request), "check_id": check_id})
        serializer.is_valid(raise_exception=True)
        require_writer(request, workspace)
        return do_set_check_mapping(
            actor=actor(request),
            workspace=workspace,
            check_id=check_id,
            controls=serializer.validated_data["controls"],
            criteria=serializer.validated_data.get("criteria", []),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        slug = body(request).get("workspace_slug")
        if not slug:
            raise exceptions.ValidationError({"workspace_slug": ["Required."]})
        mapping = self._save(
            request, visible_workspace(request, slug), str(body(request).get("check_id", ""))
        )
        return Response(self.get_serializer(mapping).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        current = self.get_object()
        mapping = self._save(request, current.workspace, current.check_id)
        return Response(self.get_serializer(mapping).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mapping = self.get_object()
        require_writer(request, mapping.workspace)
        do_delete_check_mapping(actor=actor(request), mapping=mapping)
        return Response(status=status.HTTP_204_NO_CONTENT)
