"""Whole pages kept per signed-in session while the workspace's data is unchanged.

A page holds the viewer's name, role-dependent links and a CSRF token, so the key carries the
session, the CSRF cookie (the token in a kept page is only valid with it), the role, the
workspace, the full path and the HTMX headers that change what is rendered; the workspace's
data version (`attestly.core.datacache`) makes any audited write, role change included, a
miss. Every middleware still runs on a hit, so signing out, an expired session or a role that
no longer allows the page are answered as before. A request carrying flash messages is never
answered from, nor stored in, the cache (showing a message consumes it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase

from attestly.core import datacache, responsecache

View = Callable[..., HttpResponseBase]

# HTMX request headers that select what a view renders (a fragment instead of the page).
HTMX_HEADERS = ("HX-Request", "HX-Target", "HX-Trigger", "HX-Boosted", "HX-History-Restore-Request")


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(messages.get_messages(request)) > 0


def cached_page(view: View) -> View:
    """Keep the GET answers of a page view per session, role and data version."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        workspace = getattr(request, "workspace", None)
        session_key = request.session.session_key if hasattr(request, "session") else None
        csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if (
            request.method != "GET"
            or datacache.ttl() <= 0
            or workspace is None
            or not session_key
            or not csrf
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        role = getattr(request, "workspace_role", None)
        if role is None:  # pages open to any signed-in user are not role-checked beforehand
            from attestly.web.access import request_role

            role = request_role(request, workspace)
            request.workspace_role = role  # type: ignore[attr-defined]  # the layout reuses it
        key = (
            "page",
            view.__module__,
            view.__qualname__,
            session_key,
            csrf,
            role,
            workspace.pk,
            request.get_full_path(),
            tuple(request.headers.get(name, "") for name in HTMX_HEADERS),
        )
        full_key = datacache.versioned(key, [workspace.pk])
        stored = datacache.lookup(full_key)
        if stored is not datacache.MISSING:
            return responsecache.replay(stored)
        response = view(request, *args, **kwargs)
        captured = responsecache.capture(response)
        if captured is not None and not _has_messages(request):
            datacache.store(full_key, captured)
        return response

    return wrapper
