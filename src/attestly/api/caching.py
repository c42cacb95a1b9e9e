"""API list responses kept, as the bytes sent, while the data they were read from is unchanged.

The key holds the endpoint, the full path with its query string, the host (pagination links
are absolute), the negotiated media type, the caller (user and token) and the workspaces the
caller may read through this endpoint, with the caller's role in each and their data versions
(`attestly.core.datacache`): one caller's page is never served to another, nor after an
audited write to any of those workspaces. A hit replays the encoded answer
(`attestly.core.responsecache`): no query, serializer or renderer runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.core import datacache, responsecache
from attestly.core.scoping import request_workspace_roles

V = TypeVar("V", bound=type)


def cached_list(viewset: V) -> V:
    """Class decorator for a list endpoint whose rows live in workspaces. The view's own `list`
    (and its docstring, which the OpenAPI schema reads) is kept and called on a miss."""
    original: Callable[..., Response] = viewset.list  # type: ignore[attr-defined]

    @functools.wraps(original)
    def list_(self: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if datacache.ttl() <= 0:
            return original(self, request, *args, **kwargs)
        memberships = tuple(request_workspace_roles(request))
        token = getattr(request, "auth", None)
        key = (
            "api",
            viewset.__qualname__,
            request.get_host(),
            request.get_full_path(),
            request.accepted_media_type,
            getattr(request.user, "pk", None),
            getattr(token, "pk", None),
            memberships,
        )
        full_key = datacache.versioned(key, [pk for pk, _role in memberships])
        stored = datacache.lookup(full_key)
        if stored is not datacache.MISSING:
            return responsecache.replay(stored)
        response = original(self, request, *args, **kwargs)

        def keep(rendered: HttpResponseBase) -> None:
            captured = responsecache.capture(rendered)
            if captured is not None:
                datacache.store(full_key, captured)

        if isinstance(response, Response):
            response.add_post_render_callback(keep)  # DRF renders after the view returns
        return response

    viewset.list = list_  # type: ignore[attr-defined]
    return viewset
