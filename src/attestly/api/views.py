from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from rest_framework.routers import APIRootView


class ApiRootView(APIRootView):
    """The list of endpoints; anyone who may see a workspace may read it."""

    required_actions = {"get": "workspace.read"}


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Unknown API paths answer JSON with `detail`, not an HTML page."""
    return JsonResponse({"detail": f"No API endpoint at /api/v1/{rest}."}, status=404)
