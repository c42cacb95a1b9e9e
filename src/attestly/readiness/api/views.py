from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.api.caching import cached_list
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.api.workspaces import acting_user, require_edit, strict_params, visible_workspace
from attestly.core import datacache
from attestly.core.scoping import request_workspace_ids
from attestly.frameworks.models import Criterion, Framework
from attestly.readiness import actions
from attestly.readiness.api.serializers import (
    AdoptionSerializer,
    AdoptionWriteSerializer,
    ExclusionSerializer,
    ExclusionWriteSerializer,
    ReadinessListSerializer,
    SnapshotSerializer,
    readiness_payload,
)
from attestly.readiness.models import CriterionExclusion, FrameworkAdoption, ReadinessSnapshot
from attestly.readiness.queries import list_adoptions


class AdoptionFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    framework = django_filters.CharFilter(field_name="framework__slug")

    class Meta:
        model = FrameworkAdoption
        fields = ["workspace", "framework"]


class AdoptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[FrameworkAdoption],
):
    """Frameworks a workspace works towards and their scope. POST adopts; PATCH re-scopes."""

    resource = "control"

    serializer_class = AdoptionSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = AdoptionFilter

    def get_queryset(self) -> QuerySet[FrameworkAdoption]:
        return list_adoptions(request_workspace_ids(self.request))

    @extend_schema(request=AdoptionWriteSerializer, responses={201: AdoptionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AdoptionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        workspace = visible_workspace(request, values.get("workspace"))
        require_edit(request, workspace)
        framework = Framework.objects.filter(slug=values.get("framework") or "").first()
        if framework is None:
            known = ", ".join(Framework.objects.values_list("slug", flat=True))
            raise exceptions.ValidationError(
                {"framework": [f"Unknown framework {values.get('framework')!r}; known: {known}."]}
            )
        existed = FrameworkAdoption.objects.filter(
            workspace=workspace, framework=framework
        ).exists()
        adoption = actions.do_adopt_framework(
            actor=acting_user(request),
            workspace=workspace,
            framework=framework,
            categories=values.get("categories"),
        )
        body = AdoptionSerializer(self.get_queryset().get(pk=adoption.pk)).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=AdoptionWriteSerializer, responses=AdoptionSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        adoption = self.get_object()
        require_edit(request, adoption.workspace)
        data = AdoptionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "categories" not in data.validated_data:
            raise exceptions.ValidationError({"categories": ["Send the categories in scope."]})
        actions.do_adopt_framework(
            actor=acting_user(request),
            workspace=adoption.workspace,
            framework=adoption.framework,
            categories=data.validated_data["categories"],
        )
        return Response(AdoptionSerializer(self.get_queryset().get(pk=adoption.pk)).data)


class ExclusionFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    framework = django_filters.CharFilter(field_name="criterion__framework__slug")

    class Meta:
        model = CriterionExclusion
        fields = ["workspace", "framework"]


class ExclusionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[CriterionExclusion],
):
    """Criteria declared not applicable (DC 8), with reasons. DELETE counts one again."""

    resource = "control"

    serializer_class = ExclusionSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = ExclusionFilter

    def get_queryset(self) -> QuerySet[CriterionExclusion]:
        return CriterionExclusion.objects.filter(
            workspace__in=request_workspace_ids(self.request)
        ).select_related("workspace", "criterion__framework", "created_by")

    @extend_schema(request=ExclusionWriteSerializer, responses={201: ExclusionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ExclusionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        workspace = visible_workspace(request, values["workspace"])
        require_edit(request, workspace)
        criterion = Criterion.objects.filter(key=values["criterion"]).first()
        if criterion is None:
            raise exceptions.ValidationError(
                {
                    "criterion": [
                        f"Unknown criterion {values['criterion']!r}; use a key such as soc2:P3.2."
                    ]
                }
            )
        exclusion = actions.do_exclude_criterion(
            actor=acting_user(request),
            workspace=workspace,
            criterion=criterion,
            reason=values["reason"],
        )
        return Response(
            ExclusionSerializer(self.get_queryset().get(pk=exclusion.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        exclusion = self.get_object()
        require_edit(request, exclusion.workspace)
        actions.do_include_criterion(actor=acting_user(request), exclusion=exclusion)
        return Response(status=status.HTTP_204_NO_CONTENT)


READINESS_PARAMS = [
    OpenApiParameter("workspace", str, description="Workspace id; default: all yours"),
    OpenApiParameter("framework", str, description="Framework id, e.g. soc2"),
    OpenApiParameter("category", str, description="Only this category's criteria"),
    OpenApiParameter("criterion", str, description="Only this criterion (key or ref)"),
]


class ReadinessViewSet(viewsets.ViewSet):
    """Readiness of each adopted framework: the framework score, each category's, and each
    criterion's status (met, partly met, not met, not applicable). Reading it keeps the day's
    score in the history."""

    resource = "control"

    permission_classes = DEFAULT_PERMISSIONS

    @extend_schema(parameters=READINESS_PARAMS, responses=ReadinessListSerializer)
    def list(self, request: Request) -> Response:
        params = request.query_params
        strict_params(request, {"workspace", "framework", "category", "criterion"})
        ids: Any = request_workspace_ids(request)
        if params.get("workspace"):
            ids = [visible_workspace(request, params["workspace"]).pk]
        adoptions = list_adoptions(ids, params.get("framework"))
        results = [
            readiness_payload(
                actions.do_refresh_readiness(actor=None, adoption=a),
                category=params.get("category"),
                criterion=params.get("criterion"),
            )
            for a in adoptions
        ]
        return Response({"count": len(results), "results": results})


class SnapshotFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    framework = django_filters.CharFilter(field_name="framework__slug")
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ReadinessSnapshot
        fields = ["workspace", "framework", "since", "until"]


@cached_list(on=("readiness", datacache.SNAPSHOTS))
class ReadinessHistoryViewSet(viewsets.ReadOnlyModelViewSet[ReadinessSnapshot]):
    """One readiness snapshot per workspace, framework and day, oldest first."""

    resource = "control"

    serializer_class = SnapshotSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = SnapshotFilter

    def get_queryset(self) -> QuerySet[ReadinessSnapshot]:
        return (
            ReadinessSnapshot.objects.filter(workspace__in=request_workspace_ids(self.request))
            .select_related("workspace", "framework")
            .order_by("workspace__slug", "framework__slug", "date")
        )
