"""POST /api/v1/host-reports/: where `attestly agent` sends a host's posture.

Needs a write token (ideally one limited to the workspace) of an owner, admin or editor. The
report is validated whole before anything is stored; a malformed one answers 400 with
`detail` naming the field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.checks.api.views import actor, body, require_writer, visible_workspace
from attestly.integrations.builtin.linux_host.agent import record_report


class HostReportView(APIView):
    """Record an agent's host report as a collection run and judge it."""

    # An agent reporting a host's posture is uploading evidence.
    required_actions = {"post": "evidence.upload"}

    permission_classes = DEFAULT_PERMISSIONS

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = body(request)
        slug = data.get("workspace")
        if not isinstance(slug, str):
            raise exceptions.ValidationError({"detail": "workspace: give the workspace slug"})
        workspace = visible_workspace(request, slug)
        require_writer(request, workspace)
        try:
            run = record_report(actor=actor(request), workspace=workspace, report=data)
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=400)
        return Response(
            {
                "run": run.pk,
                "connection": run.connection_name,
                "status": run.status,
                "evidence_items": run.evidence_items,
                "results": run.results,
                "errors": run.errors,
            },
            status=status.HTTP_201_CREATED,
        )
