"""Rendered page fragments that depend only on a workspace's data, cached on its version.

Only fragments with no CSRF token, no signed-in user's name and no link that depends on the
viewer's role go through here (the tables of the list pages); the key still carries the
viewer's role, the workspace and the full path with its query string, so a fragment is never
served to another workspace or another role (`attestly.core.datacache`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from attestly.core import datacache


def cached_fragment(
    request: HttpRequest,
    workspace: Any,
    template: str,
    context: Callable[[], dict[str, Any]],
) -> SafeString:
    """`template` rendered with `context()` (computed only on a miss), kept per workspace data
    version, role and full path."""
    if workspace is None:
        return mark_safe(render_to_string(template, context()))  # noqa: S308  # rendered HTML
    role = getattr(request, "workspace_role", None)
    if role is None:  # pages open to any signed-in user (the dashboard) are not role-checked
        from attestly.web.access import request_role

        role = request_role(request, workspace)
        request.workspace_role = role  # type: ignore[attr-defined]  # the layout reuses it
    key = ("fragment", template, workspace.pk, role, request.get_full_path())
    html = datacache.cached(key, [workspace.pk], lambda: render_to_string(template, context()))
    return mark_safe(html)  # noqa: S308  # rendered by the template engine, escaped there
