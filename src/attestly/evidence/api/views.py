"""/api/v1/evidence/: list, retrieve, upload (multipart) and download evidence items.

Rows are scoped to the caller's workspaces; another workspace's ids answer 404.
"""

from __future__ import annotations

import builtins
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from attestly.api.caching import cached_list
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.core.models import Workspace
from attestly.core.scoping import request_workspace_ids
from attestly.evidence.actions import do_upload_evidence
from attestly.evidence.api.serializers import (
    EvidenceItemDetailSerializer,
    EvidenceItemSerializer,
    EvidenceUploadSerializer,
)
from attestly.evidence.models import EvidenceItem
from attestly.evidence.queries import (
    LIST_DEPENDS_ON,
    can_upload,
    is_stale,
    list_items_for_request,
)
from attestly.evidence.uploads import UploadRejected
from attestly.evidence.utils import download_response, spool_uploads_to_disk
from attestly.evidence.verify import badges_for

# Multipart framing around the file: boundaries and the small form fields.
MULTIPART_OVERHEAD = 64 * 1024


class EvidenceFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    workspace = django_filters.CharFilter(field_name="workspace__slug")
    kind = django_filters.CharFilter(field_name="kind")
    source = django_filters.CharFilter(field_name="source")
    resource_key = django_filters.CharFilter(field_name="resource_key")
    content_hash = django_filters.CharFilter(field_name="content_hash")
    # A choice, not a BooleanFilter: that one silently ignores `stale=maybe`.
    stale = django_filters.ChoiceFilter(
        choices=[(v, v) for v in ("true", "false", "1", "0")],
        method="filter_stale",
        label=(
            "Stale: past its valid-until date and still the newest of its resource "
            "(superseded and tombstoned items are not stale), or not"
        ),
    )

    class Meta:
        model = EvidenceItem
        fields = ["workspace", "kind", "source", "resource_key", "content_hash", "stale"]

    def filter_stale(
        self, qs: QuerySet[EvidenceItem], name: str, value: str
    ) -> QuerySet[EvidenceItem]:
        if not value:
            return qs
        ids = request_workspace_ids(self.request).values_list("workspace_id", flat=True)
        stale = is_stale(list(ids))
        return qs.filter(stale) if value in ("true", "1") else qs.exclude(stale)


@cached_list(on=LIST_DEPENDS_ON)
class EvidenceViewSet(viewsets.ReadOnlyModelViewSet[EvidenceItem]):
    """Evidence items: immutable, hashed and chained. POST a multipart file to upload one."""

    resource = "evidence"
    required_actions = {"create": "evidence.upload"}

    permission_classes = DEFAULT_PERMISSIONS
    filterset_class = EvidenceFilter

    def get_queryset(self) -> QuerySet[EvidenceItem]:
        queryset = list_items_for_request(self.request)
        if self.action in ("list", "retrieve", "download"):
            queryset = queryset.defer(None)
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "retrieve":
            return EvidenceItemDetailSerializer
        if self.action == "create":
            return EvidenceUploadSerializer
        return EvidenceItemSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Items newest first, each with its own verification (chain hash, link, content)."""
        queryset = self.filter_queryset(self.get_queryset())
        # The page's ids first (sorted from the index alone), then those rows: sorting whole
        # rows, content and all, grew with the ledger however small the page.
        ids = self.paginate_queryset(queryset.values_list("pk", flat=True))
        if ids is None:
            items = list(queryset)
        else:
            by_id = {item.pk: item for item in queryset.filter(pk__in=list(ids))}
            items = [by_id[pk] for pk in ids]
        page = ids
        context = {**self.get_serializer_context(), "badges": badges_for(items)}
        data = EvidenceItemSerializer(items, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One item with its content and a full verification (the blob is re-hashed)."""
        item = self.get_object()
        context = {**self.get_serializer_context(), "rehash_blob": True}
        return Response(EvidenceItemDetailSerializer(item, context=context).data)

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer},
                   responses={201: EvidenceItemDetailSerializer})  # fmt: skip
    def create(self, request: Request) -> Response:
        """Upload one file as manual evidence (streamed to disk while hashed)."""
        limit = settings.OPTIONS.evidence_upload_max_bytes
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > limit + MULTIPART_OVERHEAD:
            return Response({"detail": f"The file is larger than the limit of {limit} bytes."},
                            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)  # fmt: skip
        spool_uploads_to_disk(request._request)
        form = EvidenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        workspace = Workspace.objects.filter(
            slug=data["workspace"], pk__in=request_workspace_ids(request)).first()  # fmt: skip
        if workspace is None:
            raise exceptions.NotFound("No such workspace.")
        if not can_upload(request.user, workspace.pk):
            raise exceptions.PermissionDenied("Your role in this workspace cannot add evidence.")
        upload = data["file"]
        try:
            item = do_upload_evidence(
                actor=request.user, workspace=workspace, chunks=upload.chunks(),  # type: ignore[arg-type]
                filename=upload.name or "upload", effective_from=data["effective_from"],
                effective_to=data.get("effective_to"), control_refs=data["control_refs"],
                kind=data["kind"],
            )  # fmt: skip
        except UploadRejected as exc:
            return Response({"detail": f"Upload refused: {exc}."},
                            status=status.HTTP_400_BAD_REQUEST)  # fmt: skip
        return Response(EvidenceItemDetailSerializer(item).data, status=status.HTTP_201_CREATED)

    def get_parsers(self) -> builtins.list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, pk: str) -> HttpResponse | FileResponse:
        """The item's content: the uploaded file, or the canonical JSON of structured evidence."""
        item = self.get_object()
        if item.is_tombstoned:
            raise exceptions.NotFound("This item's content was removed (tombstoned).")
        return download_response(item)
