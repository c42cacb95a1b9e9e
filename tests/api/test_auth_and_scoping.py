"""Tokens authenticate; workspaces are scoped; every error carries `detail`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import TokenScope, User
from attestly.core.models import Workspace
from attestly.testing.factories import make_token

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_detail() -> None:
    response = APIClient().get("/api/v1/frameworks/")
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Token nonsense",
        "Token atk_",
        "Token atk_abc_def",
        "Token a b",
        "Bearer atk_x_y",
    ],
)
def test_malformed_or_unknown_tokens_are_refused(header: str, alice: User) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/frameworks/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_and_expired_tokens_are_refused_with_reason(alice: User) -> None:
    _t, revoked = make_token(alice, revoked_at=timezone.now())
    _t, expired = make_token(alice, expires_at=timezone.now() - dt.timedelta(minutes=1))
    for key, reason in ((revoked, "revoked"), (expired, "expired")):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        response = client.get("/api/v1/frameworks/")
        assert response.status_code == 401
        assert reason in response.json()["detail"]


def test_tokens_are_stored_hashed(alice: User) -> None:
    token, key = make_token(alice)
    assert key not in token.key_hash
    assert len(token.key_hash) == 64


def test_workspaces_list_only_memberships(
    alice: User, mallory: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = api_client_for(alice).get("/api/v1/workspaces/").json()
    assert [w["id"] for w in body["results"]] == ["acme"]
    assert body["results"][0]["role"] == "owner"


def test_another_workspace_is_404_not_403(
    alice: User, mallory: User, globex: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    response = api_client_for(alice).get("/api/v1/workspaces/globex/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_workspace_token_sees_only_its_workspace(
    alice: User, acme: Workspace, globex: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    from attestly.core.models import Membership, Role

    Membership.objects.create(workspace=globex, user=alice, role=Role.VIEWER)
    body = api_client_for(alice, workspace=acme).get("/api/v1/workspaces/").json()
    assert [w["id"] for w in body["results"]] == ["acme"]


def test_read_token_cannot_write(alice: User, api_client_for: Callable[..., APIClient]) -> None:
    response = api_client_for(alice, scope=TokenScope.READ).post("/api/v1/workspaces/", {})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_openapi_schema_is_served_and_documents_token_auth(
    alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    response = api_client_for(alice).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/criteria/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    params = {p["name"] for p in schema["paths"]["/api/v1/criteria/"]["get"]["parameters"]}
    assert {"framework", "category", "search", "page", "page_size"} <= params
