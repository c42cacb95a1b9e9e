from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import attestly


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the shared layout needs on every page."""
    return {
        "attestly_version": attestly.__version__,
        "current_workspace": getattr(request, "workspace", None),
        "workspaces": getattr(request, "workspaces", []),
    }
