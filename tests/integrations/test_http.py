from __future__ import annotations

import httpx
import pytest

from attestly.integrations.base import (
    BadCredentials,
    CollectContext,
    IntegrationConfig,
    MalformedResponse,
    PermissionDenied,
    Unreachable,
)
from attestly.integrations.http import json_body, paginate, send
from attestly.integrations.retry import RetryPolicy


def context(answer: httpx.MockTransport) -> CollectContext[IntegrationConfig]:
    return CollectContext(
        config=IntegrationConfig(),
        transport=answer,
        retry_policy=RetryPolicy(sleep=lambda _s: None),
    )


def test_requests_are_counted_and_retried_through_the_injected_transport() -> None:
    statuses = [503, 429, 200]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(statuses.pop(0), json={"ok": True})

    ctx = context(httpx.MockTransport(answer))
    with ctx.http_client(base_url="https://api.test") as client:
        assert json_body(send(ctx, client, "GET", "/x")) == {"ok": True}
    assert ctx.calls.count == 3


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (401, BadCredentials, "GET /x answered 401: the credentials were refused"),
        (403, PermissionDenied, "GET /x answered 403: permission denied (x:read)"),
        (404, MalformedResponse, "GET /x answered 404: unexpected client error"),
    ],
)
def test_http_failures_become_specific_errors(
    status: int, error: type[Exception], message: str
) -> None:
    ctx = context(httpx.MockTransport(lambda request: httpx.Response(status)))
    with ctx.http_client(base_url="https://api.test") as client, pytest.raises(error) as caught:
        send(ctx, client, "GET", "/x", permission="x:read")
    assert str(caught.value) == message


def test_a_connection_failure_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    ctx = context(httpx.MockTransport(refuse))
    with ctx.http_client() as client, pytest.raises(Unreachable, match="cannot connect"):
        send(ctx, client, "GET", "https://api.test/x")


def test_json_of_the_wrong_shape_is_malformed() -> None:
    request = httpx.Request("GET", "https://api.test/users")
    with pytest.raises(MalformedResponse, match="expected a JSON list, got dict"):
        json_body(httpx.Response(200, json={}, request=request), list)


def test_pagination_follows_cursors_and_stops_a_loop() -> None:
    pages = {None: ([1, 2], "b"), "b": ([3], None)}
    assert list(paginate(lambda cursor: pages[cursor])) == [1, 2, 3]
    looping = {None: ([1], "a"), "a": ([2], "a")}
    with pytest.raises(MalformedResponse, match="pagination loops"):
        list(paginate(lambda cursor: looping[cursor]))
