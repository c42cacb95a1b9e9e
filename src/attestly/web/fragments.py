"""Rendered page bodies that depend only on a workspace's data, kept on its version.

A page is its layout (the viewer's name, their workspaces, the links their role allows, the
CSRF token), rendered on every request, around a body that shows the workspace's data and
nothing about who looks at it. The body is kept per workspace, full path (its query string
selects what it shows) and the version of what it depends `on` (`attestly.core.datacache`),
and shared by everyone who may read the page: by the time a view asks for it, the middleware
has already decided that the viewer may. A body is rendered without the request, so the
user, their role and the CSRF token are not even in its context; `tests/web/test_fragments.py`
checks that no template rendered here asks for them.
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
    on: datacache.Depends,
) -> SafeString:
    """`template` rendered with `context()` (computed only on a miss), kept per workspace,
    full path and the version of what it depends `on`."""
    if workspace is None:
        return mark_safe(render_to_string(template, context()))  # noqa: S308  # rendered HTML
    key = ("fragment", template, workspace.pk, request.get_full_path())
    html = datacache.cached(
        key, [workspace.pk], lambda: render_to_string(template, context()), on=on
    )
    return mark_safe(html)  # noqa: S308  # rendered by the template engine, escaped there
