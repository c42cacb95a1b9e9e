"""The sample integration: a token-protected JSON API with users (paginated) and repos.

It uses every extension point: a config with a secret, two collectors, a connection test
that names a missing permission, a Python check and a declarative check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, SecretStr

from attestly.integrations.base import (
    CollectContext,
    Collector,
    ConnectionTest,
    Integration,
    IntegrationConfig,
    MalformedResponse,
    Record,
)
from attestly.integrations.http import json_body, paginate, send

REQUIRED_SCOPES = ("users:read", "repos:read")


class SampleConfig(IntegrationConfig):
    url: str = Field(description="Base URL of the sample API, e.g. http://127.0.0.1:8080")
    token: SecretStr = Field(description="API token")
    org: str = Field("acme", description="Organisation to read")


def _client(ctx: CollectContext[SampleConfig]) -> Any:
    token = ctx.config.token.get_secret_value()
    return ctx.http_client(base_url=ctx.config.url, headers={"Authorization": f"Bearer {token}"})


def collect_users(ctx: CollectContext[SampleConfig]) -> Iterator[Record]:
    with _client(ctx) as client:

        def page(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            body = json_body(
                send(
                    ctx,
                    client,
                    "GET",
                    "/users",
                    permission="users:read",
                    params={"page": cursor or "1"},
                )
            )
            items = body.get("items")
            if not isinstance(items, list):
                raise MalformedResponse("GET /users: the answer has no list of `items`")
            return items, body.get("next")

        for user in paginate(page):
            if "login" not in user:
                raise MalformedResponse("GET /users: a user without `login`")
            yield Record("sample.user", f"sample:{ctx.config.org}:user:{user['login']}", user)


def collect_repos(ctx: CollectContext[SampleConfig]) -> Iterator[Record]:
    with _client(ctx) as client:
        repos = json_body(send(ctx, client, "GET", "/repos", permission="repos:read"), list)
        for repo in repos:
            yield Record("sample.repo", f"sample:{ctx.config.org}:repo:{repo['name']}", repo)


def test_connection(ctx: CollectContext[SampleConfig]) -> ConnectionTest:
    with _client(ctx) as client:
        me = json_body(send(ctx, client, "GET", "/me"))
    missing = [s for s in REQUIRED_SCOPES if s not in me.get("scopes", [])]
    if missing:
        return ConnectionTest.missing_permission(
            missing, f"the token of {me.get('login')} lacks {', '.join(missing)}"
        )
    return ConnectionTest.success(f"connected as {me.get('login')}")


test_connection.__test__ = False  # type: ignore[attr-defined]

integration = Integration(
    slug="sample",
    name="Sample service",
    version="1.0.0",
    description="A JSON API with users and repositories (test-only).",
    config=SampleConfig,
    collectors=(
        Collector("users", kinds=("sample.user",), collect=collect_users),
        Collector("repos", kinds=("sample.repo",), collect=collect_repos),
    ),
    test_connection=test_connection,
    checks="tests.integrations.sample.checks",
    default_schedule="1h",
)
