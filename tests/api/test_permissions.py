"""The API permission class: declared actions, the resource default, and failing closed."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from attestly.accounts.models import User
from attestly.api.permissions import DEFAULT_PERMISSIONS, required_action
from attestly.core.models import Workspace
from attestly.core.permissions import UNDECLARED

pytestmark = pytest.mark.django_db


class Undeclared(APIView):
    permission_classes = DEFAULT_PERMISSIONS

    def get(self, request: Any) -> Response:
        return Response({"ok": True})


class Resourceful(Undeclared):
    resource = "control"

    def post(self, request: Any) -> Response:
        return Response({"ok": True})


def call(view: type[APIView], user: User, method: str = "get") -> Response:
    request = getattr(APIRequestFactory(), method)("/x/", {}, format="json")
    force_authenticate(request, user=user)
    response: Response = view.as_view()(request)
    return response


def test_an_undeclared_view_fails_closed_for_everyone_but_owners(alice: User, bob: User) -> None:
    assert required_action(Undeclared(), "GET") == UNDECLARED
    assert call(Undeclared, alice).status_code == 200
    refused = call(Undeclared, bob)
    assert refused.status_code == 403
    assert "undeclared" in str(refused.data["detail"])


def test_a_resource_needs_read_for_safe_and_write_for_unsafe_methods(bob: User) -> None:
    assert required_action(Resourceful(), "GET") == "control.read"
    assert required_action(Resourceful(), "DELETE") == "control.write"
    assert call(Resourceful, bob).status_code == 200
    assert call(Resourceful, bob, "post").status_code == 403


def test_a_declared_action_wins_over_the_resource_default() -> None:
    view = Resourceful()
    view.required_actions = {"post": "evidence.upload"}  # type: ignore[attr-defined]
    assert required_action(view, "POST") == "evidence.upload"


def test_querysets_keep_only_workspaces_where_the_role_allows_the_action(
    bob: User, alice: User, globex: Workspace, api_client_for: Any
) -> None:
    from attestly.testing.factories import MembershipFactory

    MembershipFactory(workspace=globex, user=bob, role="auditor")
    client = api_client_for(bob)
    entries = client.get("/api/v1/audit-entries/").json()["results"]
    assert {e["workspace"] for e in entries} <= {"globex"}
    workspaces = client.get("/api/v1/workspaces/").json()["results"]
    assert {w["id"] for w in workspaces} == {"acme", "globex"}


def test_a_workspace_token_uses_the_role_in_that_workspace(
    bob: User, globex: Workspace, api_client_for: Any
) -> None:
    from attestly.testing.factories import MembershipFactory

    MembershipFactory(workspace=globex, user=bob, role="auditor")
    acme_only = api_client_for(bob, workspace=bob.memberships.get(role="viewer").workspace)
    response = acme_only.get("/api/v1/audit-entries/")
    assert response.status_code == 403
    assert "audit.read" in response.json()["detail"]
