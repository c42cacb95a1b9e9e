from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

import attestly

_sidebars: dict[tuple[str | None, str, str], SafeString] = {}
_sidebars_lock = threading.Lock()


def layout(request: HttpRequest) -> dict[str, Any]:
    """What the shared layout needs on every page."""
    from attestly.core.permissions import MATRIX
    from attestly.web.access import request_role

    workspace = getattr(request, "workspace", None)
    role = getattr(request, "workspace_role", None) or request_role(request, workspace)
    match = getattr(request, "resolver_match", None)
    return {
        "allowed_actions": MATRIX.get(role, frozenset()) if role else frozenset(),
        "attestly_version": attestly.__version__,
        "current_workspace": getattr(request, "workspace", None),
        "workspaces": getattr(request, "workspaces", []),
        "sidebar": sidebar(
            role, getattr(match, "app_name", "") or "", getattr(match, "url_name", "") or ""
        ),
    }


def sidebar(role: str | None, app_name: str, url_name: str) -> SafeString:
    """The main navigation for a role on a page, rendered once per process and reused.

    It is the same for everyone with that role on that page, and rendering it (twenty links
    reversed, each under a permission test) was most of a cached page's cost. Its template may
    read nothing but the role's actions and the page's names. Bounded: roles x named pages.
    """
    key = (role, app_name, url_name)
    html = _sidebars.get(key)
    if html is None:
        from attestly.core.permissions import MATRIX

        actions = MATRIX.get(role, frozenset()) if role else frozenset()
        html = SafeString(
            render_to_string(
                "web/_sidebar.html",
                {"allowed_actions": actions, "app_name": app_name, "url_name": url_name},
            )
        )
        with _sidebars_lock:
            _sidebars[key] = html
    return html
