"""API list responses kept, as the bytes sent, while the data they were read from is unchanged.

The key holds the endpoint, the full path with its query string, the host (pagination links
are absolute), the negotiated media type, and the workspaces whose rows this caller may read
through this endpoint (their memberships, narrowed by the permission matrix and by a token
limited to one workspace) with the version of what the list depends `on`
(`attestly.core.datacache`). A list shows rows, not who asks: two callers who may read the
same workspaces get the same bytes, and nobody gets a page computed for other workspaces or
before a write it depends on. A hit replays the encoded answer
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


def cached_list(on: datacache.Depends) -> Callable[[V], V]:
    """Class decorator for a list endpoint whose rows live in workspaces and depend `on` these
    parts of their data. The view's own `list` (and its docstring, which the OpenAPI schema
    reads) is kept and called on a miss."""

    def decorate(viewset: V) -> V:
        original: Callable[..., Response] = viewset.list  # type: ignore[attr-defined]

        @functools.wraps(original)
        def list_(self: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if datacache.ttl() <= 0:
                return original(self, request, *args, **kwargs)
            readable = tuple(pk for pk, _role in request_workspace_roles(request))
            key = (
                "api",
                viewset.__qualname__,
                request.get_host(),
                request.get_full_path(),
                request.accepted_media_type,
                readable,
            )
            full_key = datacache.versioned(key, readable, on)
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

    return decorate
