"""API list responses' data kept while the data they were read from is unchanged.

The key holds the endpoint, the full path with its query string, the host (pagination links
are absolute), the negotiated media type, the caller (user and token) and the workspaces the
caller may read through this endpoint, with the caller's role in each and their data versions
(`attestly.core.datacache`): one caller's page is never served to another, nor after an
audited write to any of those workspaces.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from rest_framework.request import Request
from rest_framework.response import Response

from attestly.core import datacache
from attestly.core.scoping import request_workspace_ids

V = TypeVar("V", bound=type)


def cached_list(viewset: V) -> V:
    """Class decorator for a list endpoint whose rows live in workspaces. The view's own `list`
    (and its docstring, which the OpenAPI schema reads) is kept and called on a miss."""
    original: Callable[..., Response] = viewset.list  # type: ignore[attr-defined]

    @functools.wraps(original)
    def list_(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        if datacache.ttl() <= 0:
            return original(self, request, *args, **kwargs)
        memberships = tuple(
            sorted(request_workspace_ids(request).values_list("workspace_id", "role"))
        )
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
        fresh: list[Response] = []

        def compute() -> Any:
            response = original(self, request, *args, **kwargs)
            fresh.append(response)
            return response.data if response.status_code == 200 else None

        data = datacache.cached(key, [pk for pk, _role in memberships], compute)
        if fresh:
            return fresh[0]
        if data is None:  # an earlier miss that did not answer 200: ask again
            return original(self, request, *args, **kwargs)
        return Response(data)

    viewset.list = list_  # type: ignore[attr-defined]
    return viewset
