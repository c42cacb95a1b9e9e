"""Current workspace per request: the one the user picked, if they may still see it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from attestly.core import datacache
from attestly.core.models import Workspace

SESSION_KEY = "attestly_workspace"


def workspaces_for(request: HttpRequest) -> list[Workspace]:
    """The signed-in user's workspaces, by name; also keeps the user's role in each on the
    request (`request_memberships`), read in the same query."""
    from attestly.core.hotpath import workspaces_with_roles
    from attestly.core.scoping import remember_memberships

    rows = workspaces_with_roles(int(request.user.pk or 0))
    remember_memberships(request, {w.pk: role for w, role, _version in rows})
    if request.method in ("GET", "HEAD"):  # a write must not be judged by the version before it
        datacache.remember_versions({w.pk: version for w, _role, version in rows})
    return [w for w, _role, _version in rows]


class CurrentWorkspaceMiddleware:
    """Sets `request.workspace` (or None) and `request.workspaces` for pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        try:
            if request.user.is_authenticated and not request.path.startswith("/api/"):
                visible = workspaces_for(request)
                chosen = request.session.get(SESSION_KEY)
                current = next(
                    (w for w in visible if w.pk == chosen), visible[0] if visible else None
                )
                request.workspace = current  # type: ignore[attr-defined]
                request.workspaces = visible  # type: ignore[attr-defined]
            return self.get_response(request)
        finally:
            datacache.forget_versions()


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path or query string.

    PostgreSQL text cannot hold NUL, so such a value would otherwise surface as a 500 from
    deep inside a query. Request bodies are covered by DRF's and Django's field validators.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in key or "\x00" in value for key, value in request.GET.items())
        ):
            return JsonResponse({"detail": "NUL bytes are not allowed in URLs."}, status=400)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Answer 413 to a non-multipart body over DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django enforces the limit on form data only when it is read, and DRF's JSON parser reads
    the stream without it; file uploads (multipart) are streamed to disk and limited elsewhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        if limit is not None and length > limit and not multipart:
            return JsonResponse(
                {"detail": f"Request body too large: {length} bytes, the limit is {limit}."},
                status=413,
            )
        return self.get_response(request)
