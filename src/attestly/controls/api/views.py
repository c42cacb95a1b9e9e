from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.accounts.models import User
from attestly.api.caching import cached_list
from attestly.api.filters import IdFilter
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.api.workspaces import acting_user, require_edit, strict_params, visible_workspace
from attestly.checks.queries import failing_control_refs
from attestly.controls import actions
from attestly.controls.api.serializers import (
    ControlMappingSerializer,
    ControlMappingWriteSerializer,
    ControlSerializer,
    ControlWriteSerializer,
    CrosswalkSerializer,
    FromLibrarySerializer,
    LibraryControlSerializer,
    LibraryMappingSerializer,
)
from attestly.controls.models import Control, ControlMapping, ImplementationStatus
from attestly.controls.queries import (
    LIST_DEPENDS_ON,
    attach_mappings,
    crosswalk,
    list_controls,
    list_library_controls,
)
from attestly.core.models import Membership, Workspace
from attestly.core.scoping import request_workspace_ids
from attestly.frameworks.models import Criterion, LibraryControl, LibraryControlMapping


def _criterion(key: str, field: str = "criterion") -> Criterion:
    criterion = Criterion.objects.filter(key=key).select_related("framework").first()
    if criterion is None:
        raise exceptions.ValidationError(
            {field: [f"Unknown criterion {key!r}; use a key such as soc2:CC6.1."]}
        )
    return criterion


def _owner(workspace: Workspace, username: str | None) -> User | None:
    if not username:
        return None
    member = (
        Membership.objects.filter(workspace=workspace, user__username=username)
        .select_related("user")
        .first()
    )
    if member is None:
        # Same answer whether the user exists elsewhere or not at all.
        raise exceptions.ValidationError(
            {
                "owner": [
                    f"{username} is not a member of the {workspace.slug} workspace; "
                    "a control's owner must be."
                ]
            }
        )
    return member.user


class CriterionKeyFilter(django_filters.CharFilter):  # type: ignore[misc]  # no stubs
    """Accepts `soc2:CC6.1`, or a bare ref such as `CC6.1`."""

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        field = "key" if ":" in value else "ref"
        return qs.filter(**{f"{self.field_name}__{field}": value}).distinct()


class ControlFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    framework = django_filters.CharFilter(
        field_name="mappings__criterion__framework__slug", distinct=True
    )
    criterion = CriterionKeyFilter(field_name="mappings__criterion")
    category = django_filters.CharFilter(
        field_name="mappings__criterion__category__slug", distinct=True
    )
    status = django_filters.ChoiceFilter(choices=ImplementationStatus.choices)
    owner = django_filters.CharFilter(
        method="filter_owner", label="Owner's user name, or `-` for controls without owner"
    )
    family = django_filters.CharFilter()
    retired = django_filters.BooleanFilter(
        field_name="retired_at",
        lookup_expr="isnull",
        exclude=True,
        label="Only retired (true) or only live (false, the default) controls",
    )
    checks = django_filters.ChoiceFilter(
        choices=[("failing", "failing")],
        method="filter_checks",
        label="`failing`: controls with a resource failing an automated check mapped to them",
    )

    class Meta:
        model = Control
        fields = [
            "workspace",
            "framework",
            "criterion",
            "category",
            "status",
            "owner",
            "family",
            "retired",
            "checks",
        ]

    def filter_owner(self, qs: QuerySet[Control], name: str, value: str) -> QuerySet[Control]:
        if value == "-":
            return qs.filter(owner__isnull=True)
        return qs.filter(owner__username=value)

    def filter_checks(self, qs: QuerySet[Control], name: str, value: str) -> QuerySet[Control]:
        wanted = Q(pk__in=[])
        for workspace in Workspace.objects.filter(pk__in=request_workspace_ids(self.request)):
            wanted |= Q(workspace=workspace, ref__in=failing_control_refs(workspace))
        return qs.filter(wanted)


@cached_list(on=LIST_DEPENDS_ON)
class ControlViewSet(viewsets.ModelViewSet[Control]):
    """Controls of the caller's workspaces. DELETE retires a control (it keeps its history)."""

    resource = "control"

    serializer_class = ControlSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = ControlFilter

    def get_queryset(self) -> QuerySet[Control]:
        # A list attaches plain mappings to the page it shows (paginate_queryset).
        qs = list_controls(mappings=self.action != "list").filter(
            workspace__in=request_workspace_ids(self.request)
        )
        if self.action == "list" and "retired" not in self.request.query_params:
            qs = qs.filter(retired_at__isnull=True)
        return qs

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_mappings(page)
        return page

    def _fresh(self, control: Control) -> dict[str, Any]:
        return dict(ControlSerializer(list_controls().get(pk=control.pk)).data)

    @extend_schema(request=ControlWriteSerializer, responses={201: ControlSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ControlWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        workspace = visible_workspace(request, values.pop("workspace", None))
        require_edit(request, workspace)
        values["owner"] = _owner(workspace, values.get("owner"))
        values["mappings"] = [
            (_criterion(m["criterion"], "mappings"), m["relationship"])
            for m in values.get("mappings", [])
        ]
        control = actions.do_create_control(
            actor=acting_user(request),
            workspace=workspace,
            **values,
        )
        return Response(self._fresh(control), status=status.HTTP_201_CREATED)

    @extend_schema(request=FromLibrarySerializer, responses={201: ControlSerializer})
    @action(detail=False, methods=["post"], url_path="from-library")
    def from_library(self, request: Request) -> Response:
        """Add one library control (with all its mappings) outside any framework adoption."""
        data = FromLibrarySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workspace = visible_workspace(request, data.validated_data["workspace"])
        require_edit(request, workspace)
        ref = data.validated_data["library_control"]
        library_control = LibraryControl.objects.filter(ref=ref).first()
        if library_control is None:
            raise exceptions.ValidationError({"library_control": [f"No library control {ref!r}."]})
        control = actions.do_add_library_control(
            actor=acting_user(request), workspace=workspace, library_control=library_control
        )
        return Response(self._fresh(control), status=status.HTTP_201_CREATED)

    @extend_schema(request=ControlWriteSerializer, responses=ControlSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        control = self.get_object()
        require_edit(request, control.workspace)
        data = ControlWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for create_only in ("workspace", "ref", "mappings"):
            if create_only in values:
                raise exceptions.ValidationError(
                    {create_only: ["Set when the control is created; it cannot be changed here."]}
                )
        if "owner" in values:
            values["owner"] = _owner(control.workspace, values["owner"])
        actions.do_update_control(actor=acting_user(request), control=control, **values)
        return Response(self._fresh(control))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        control = self.get_object()
        require_edit(request, control.workspace)
        actions.do_retire_control(actor=acting_user(request), control=control)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ControlSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring a retired control back."""
        control = self.get_object()
        require_edit(request, control.workspace)
        actions.do_restore_control(actor=acting_user(request), control=control)
        return Response(self._fresh(control))


class LibraryControlFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    framework = django_filters.CharFilter(
        field_name="mappings__criterion__framework__slug", distinct=True
    )
    criterion = CriterionKeyFilter(field_name="mappings__criterion")
    category = django_filters.CharFilter(
        field_name="mappings__criterion__category__slug", distinct=True
    )
    family = django_filters.CharFilter()
    nature = django_filters.CharFilter()
    frequency = django_filters.CharFilter()

    class Meta:
        model = LibraryControl
        fields = ["framework", "criterion", "category", "family", "nature", "frequency"]


class LibraryControlViewSet(viewsets.ReadOnlyModelViewSet[LibraryControl]):
    """The shipped control library with every mapping. Look one up by id, e.g. AC-01."""

    resource = "catalog"

    serializer_class = LibraryControlSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = LibraryControlFilter
    lookup_field = "ref"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[LibraryControl]:
        return list_library_controls()


class LibraryMappingFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    control = django_filters.CharFilter(field_name="control__ref")
    framework = django_filters.CharFilter(field_name="criterion__framework__slug")
    criterion = CriterionKeyFilter(field_name="criterion")

    class Meta:
        model = LibraryControlMapping
        fields = ["control", "framework", "criterion"]


class LibraryMappingViewSet(viewsets.ReadOnlyModelViewSet[LibraryControlMapping]):
    """Library control → criterion mappings across all frameworks, with relationships."""

    resource = "catalog"

    serializer_class = LibraryMappingSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = LibraryMappingFilter

    def get_queryset(self) -> QuerySet[LibraryControlMapping]:
        return LibraryControlMapping.objects.select_related(
            "control", "criterion__framework"
        ).order_by("control__position", "pk")


class ControlMappingFilter(django_filters.FilterSet):  # type: ignore[misc]  # no stubs
    workspace = django_filters.CharFilter(field_name="control__workspace__slug")
    control = IdFilter(field_name="control_id")
    framework = django_filters.CharFilter(field_name="criterion__framework__slug")
    criterion = CriterionKeyFilter(field_name="criterion")

    class Meta:
        model = ControlMapping
        fields = ["workspace", "control", "framework", "criterion"]


class ControlMappingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ControlMapping],
):
    """A workspace's control → criterion mappings. Copied from the library, then editable."""

    resource = "control"

    serializer_class = ControlMappingSerializer
    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = ControlMappingFilter

    def get_queryset(self) -> QuerySet[ControlMapping]:
        return (
            ControlMapping.objects.filter(
                control__workspace__in=request_workspace_ids(self.request)
            )
            .select_related("control__workspace", "criterion__framework")
            .order_by(
                "control__workspace__slug",
                "control__ref",
                "criterion__framework__slug",
                "criterion__position",
            )
        )

    @extend_schema(request=ControlMappingWriteSerializer, responses={201: ControlMappingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ControlMappingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        control = (
            Control.objects.filter(
                pk=values.get("control"), workspace__in=request_workspace_ids(request)
            )
            .select_related("workspace")
            .first()
        )
        if control is None:
            raise exceptions.ValidationError({"control": ["No such control."]})
        require_edit(request, control.workspace)
        criterion = _criterion(values.get("criterion") or "")
        mapping = actions.do_map_control(
            actor=acting_user(request),
            control=control,
            criterion=criterion,
            relationship=values["relationship"],
        )
        return Response(
            ControlMappingSerializer(self.get_queryset().get(pk=mapping.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ControlMappingWriteSerializer, responses=ControlMappingSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mapping = self.get_object()
        require_edit(request, mapping.control.workspace)
        data = ControlMappingWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        actions.do_map_control(
            actor=acting_user(request),
            control=mapping.control,
            criterion=mapping.criterion,
            relationship=data.validated_data.get("relationship", mapping.relationship),
        )
        return Response(ControlMappingSerializer(self.get_queryset().get(pk=mapping.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        mapping = self.get_object()
        require_edit(request, mapping.control.workspace)
        actions.do_unmap_control(actor=acting_user(request), mapping=mapping)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CrosswalkViewSet(viewsets.ViewSet):
    """Counterparts of one criterion in every other framework, through shared controls.

    `?criterion=soc2:CC6.1` uses the library's mappings; add `&workspace=acme` to use that
    workspace's own mappings (retired controls left out). Works in every direction.
    """

    resource = "catalog"

    permission_classes = DEFAULT_PERMISSIONS

    @extend_schema(
        parameters=[
            OpenApiParameter("criterion", str, description="Key, e.g. soc2:CC6.1", required=True),
            OpenApiParameter("workspace", str, description="Use this workspace's mappings"),
        ],
        responses=CrosswalkSerializer,
    )
    def list(self, request: Request) -> Response:
        strict_params(request, {"criterion", "workspace"})
        criterion = _criterion(request.query_params.get("criterion", ""))
        workspace = None
        if "workspace" in request.query_params:
            workspace = visible_workspace(request, request.query_params["workspace"])
        grouped = crosswalk(criterion, workspace=workspace)
        return Response(
            {
                "criterion": criterion.key,
                "title": criterion.title,
                "workspace": workspace.slug if workspace else None,
                "counterparts": {
                    fw: [
                        {
                            "criterion": cp.criterion.key,
                            "ref": cp.criterion.ref,
                            "title": cp.criterion.title,
                            "via": cp.via,
                            "relationships": cp.relationships,
                        }
                        for cp in cps
                    ]
                    for fw, cps in grouped.items()
                },
            }
        )
