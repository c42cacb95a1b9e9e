"""Whole responses kept in the data cache (`attestly.core.datacache`), replayed as bytes.

A cached page or API list still goes through every middleware (session, sign-in, workspace,
permission, security headers); what a hit saves is the view: its queries, its template or
serializer, its encoding. Only a plain 200 answer that sets no cookie is kept, so nothing that
changes the client's state (a new CSRF cookie, a session, a message consumed) is ever replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse, HttpResponseBase

# Set per request by the middlewares around the view; never replayed from another request.
_NOT_STORED = frozenset({"set-cookie", "content-length", "vary", "allow"})


@dataclass(frozen=True)
class StoredResponse:
    content: bytes
    headers: tuple[tuple[str, str], ...]


def capture(response: HttpResponseBase) -> StoredResponse | None:
    """What to keep of a rendered response, or None when it must not be kept."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or not isinstance(response, HttpResponse)
    ):
        return None
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() not in _NOT_STORED
    )
    return StoredResponse(response.content, headers)


def replay(stored: StoredResponse) -> HttpResponse:
    response = HttpResponse(stored.content)
    for name, value in stored.headers:
        response[name] = value
    return response
