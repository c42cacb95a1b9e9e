"""httpx helpers for integrations: a counted client with an injected transport, mapping of
HTTP failures to collector errors, JSON decoding that names what was wrong, and pagination.

    with ctx.http_client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        for page in paginate(lambda cursor: fetch(client, cursor)):
            ...

Each request sent through the client counts as one API call. Tests inject a transport
(`httpx.MockTransport`, or a real local server with the default transport).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from attestly.integrations.base import (
    BadCredentials,
    MalformedResponse,
    PermissionDenied,
    Throttled,
    TransientError,
    Unreachable,
)

if TYPE_CHECKING:
    from attestly.integrations.base import CollectContext

T = TypeVar("T")
MAX_PAGES = 10_000


def make_client(ctx: CollectContext[Any], **kwargs: Any) -> httpx.Client:
    """An `httpx.Client` using the context's transport and timeout, counting each request."""

    def count(_request: httpx.Request) -> None:
        ctx.calls.add()

    hooks = kwargs.pop("event_hooks", {})
    hooks.setdefault("request", []).append(count)
    kwargs.setdefault("timeout", ctx.timeout)
    if ctx.transport is not None:
        kwargs.setdefault("transport", ctx.transport)
    return httpx.Client(event_hooks=hooks, **kwargs)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return float(value)
    except ValueError:
        return None


def check_response(response: httpx.Response, *, permission: str = "") -> httpx.Response:
    """Raise the collector error an HTTP failure stands for; return successful responses.

    401 → `BadCredentials`, 403 → `PermissionDenied(permission)`, 429 → `Throttled`,
    5xx → `TransientError`, other 4xx → `MalformedResponse` (the request was not understood).
    """
    status = response.status_code
    if status < 400:
        return response
    what = f"{response.request.method} {response.request.url.path} answered {status}"
    if status == 401:
        raise BadCredentials(f"{what}: the credentials were refused")
    if status == 403:
        raise PermissionDenied(
            permission or response.request.url.path,
            f"{what}: permission denied ({permission or 'no permission name given'})",
        )
    if status == 429:
        raise Throttled(f"{what}: rate limited", retry_after=_retry_after(response))
    if status >= 500:
        raise TransientError(f"{what}: server error")
    raise MalformedResponse(f"{what}: unexpected client error")


def send(
    ctx: CollectContext[Any],
    client: httpx.Client,
    method: str,
    url: str,
    *,
    permission: str = "",
    **kwargs: Any,
) -> httpx.Response:
    """Send one request with retries; connection failures become `Unreachable`."""

    def once() -> httpx.Response:
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise Unreachable(f"{method} {url}: no answer within {ctx.timeout:g}s") from exc
        except httpx.TransportError as exc:
            raise Unreachable(f"{method} {url}: cannot connect ({exc})") from exc
        return check_response(response, permission=permission)

    return ctx.retry(once, what=f"{method} {url}")


def json_body(response: httpx.Response, expect: type[T] = dict) -> T:  # type: ignore[assignment]
    """The response's JSON, which must be of type `expect`; else `MalformedResponse`."""
    where = f"{response.request.method} {response.request.url.path}"
    try:
        value = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"{where}: the answer is not JSON ({exc})") from exc
    if not isinstance(value, expect):
        raise MalformedResponse(
            f"{where}: expected a JSON {expect.__name__}, got {type(value).__name__}"
        )
    return value


def paginate(fetch: Callable[[str | None], tuple[list[T], str | None]]) -> Iterator[T]:
    """Yield items of every page. `fetch(cursor)` returns (items, next cursor or None)."""
    cursor: str | None = None
    seen: set[str] = set()
    for _page in range(MAX_PAGES):
        items, cursor = fetch(cursor)
        yield from items
        if not cursor:
            return
        if cursor in seen:
            raise MalformedResponse(f"pagination loops: cursor {cursor!r} came back twice")
        seen.add(cursor)
    raise MalformedResponse(f"more than {MAX_PAGES} pages; stopping")
