from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import attestly


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the shared layout needs on every page."""
    from attestly.core.permissions import MATRIX
    from attestly.web.access import request_role

    workspace = getattr(request, "workspace", None)
    role = getattr(request, "workspace_role", None) or request_role(request, workspace)
    return {
        "allowed_actions": MATRIX.get(role, frozenset()) if role else frozenset(),
        "attestly_version": attestly.__version__,
        "current_workspace": getattr(request, "workspace", None),
        "workspaces": getattr(request, "workspaces", []),
    }
