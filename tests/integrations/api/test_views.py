from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import TokenScope, User
from attestly.core.models import Workspace
from attestly.integrations.models import Connection
from attestly.integrations.tasks import collect_connection
from tests.integrations.sample.server import SampleServer

pytestmark = pytest.mark.django_db
Client = Callable[..., APIClient]


def create(client: APIClient, server: SampleServer, **extra: Any) -> Any:
    payload = {
        "workspace_slug": "acme",
        "integration": "sample",
        "name": "prod",
        "config": {"url": server.url, "token": server.token},
        "schedule": "0 3 * * *",
        **extra,
    }
    return client.post("/api/v1/connections/", payload, format="json")


def test_the_catalogue_publishes_the_config_schema_with_write_only_secrets(
    alice: User, api_client_for: Client, sample_installed: Any
) -> None:
    response = api_client_for(alice).get("/api/v1/integrations/sample/")
    assert response.status_code == 200
    data = response.json()
    schema = data["config_schema"]
    assert schema["required"] == ["url", "token"]
    assert schema["properties"]["token"]["writeOnly"] is True
    assert schema["properties"]["token"]["format"] == "password"
    assert "writeOnly" not in schema["properties"]["url"]
    assert data["checks"] == ["sample_repo_private", "sample_user_mfa_enabled"]
    assert [c["name"] for c in data["collectors"]] == ["users", "repos"]
    assert api_client_for(alice).get("/api/v1/integrations/nope/").status_code == 404


def test_create_read_and_update_never_return_secrets(
    alice: User, api_client_for: Client, sample_installed: Any, sample_server: SampleServer
) -> None:
    client = api_client_for(alice)
    response = create(client, sample_server)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["config"] == {"url": sample_server.url, "org": "acme"}
    assert created["secrets_set"] == ["token"]
    detail = client.get(f"/api/v1/connections/{created['id']}/")
    assert sample_server.token not in detail.content.decode()
    response = client.patch(
        f"/api/v1/connections/{created['id']}/", {"config": {"org": "globex"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["config"]["org"] == "globex"
    tested = client.post(f"/api/v1/connections/{created['id']}/test/").json()
    assert tested == {
        "status": "ok",
        "ok": True,
        "message": "connected as robot",
        "missing_permissions": [],
    }


def test_invalid_config_is_a_400_naming_the_field(
    alice: User, api_client_for: Client, sample_installed: Any, sample_server: SampleServer
) -> None:
    response = create(api_client_for(alice), sample_server, config={"url": sample_server.url})
    assert response.status_code == 400
    assert response.json()["errors"]["token"] == ["Field required"]
    response = create(api_client_for(alice), sample_server, schedule="99 * * * *")
    assert response.status_code == 400
    assert "minute" in response.json()["detail"]


def test_the_test_action_names_the_missing_permission(
    alice: User, api_client_for: Client, sample_connection: Connection, sample_server: SampleServer
) -> None:
    sample_server.scopes = []
    response = api_client_for(alice).post(f"/api/v1/connections/{sample_connection.pk}/test/")
    assert response.json()["status"] == "missing_permission"
    assert response.json()["missing_permissions"] == ["users:read", "repos:read"]


def test_another_workspace_sees_nothing_and_readers_cannot_write(
    alice: User,
    bob: User,
    mallory: User,
    api_client_for: Client,
    sample_connection: Connection,
    sample_server: SampleServer,
) -> None:
    url = f"/api/v1/connections/{sample_connection.pk}/"
    outsider = api_client_for(mallory)
    assert outsider.get(url).status_code == 404
    assert outsider.delete(url).status_code == 404
    assert outsider.post(f"{url}test/").status_code == 404
    assert outsider.get("/api/v1/connections/").json()["results"] == []
    assert create(outsider, sample_server).status_code == 404  # acme is not visible to her
    read_only = api_client_for(alice, scope=TokenScope.READ)
    assert read_only.delete(url).status_code == 403
    assert api_client_for(bob).delete(url).status_code == 403  # a viewer
    assert api_client_for(alice).delete(url).status_code == 204
    assert not Connection.objects.exists()


def test_runs_are_listed_per_workspace_with_their_counts(
    alice: User,
    mallory: User,
    api_client_for: Client,
    sample_connection: Connection,
    sample_server: SampleServer,
    options: Any,
) -> None:
    sample_server.faults["/repos"] = [(403, "{}")] * 10
    run = collect_connection(sample_connection.pk, options=options)
    rows = api_client_for(alice).get("/api/v1/runs/?workspace=acme").json()["results"]
    assert [r["id"] for r in rows] == [run.pk]
    assert rows[0]["status"] == "partial"
    assert rows[0]["errors"]["repos"]["permission"] == "repos:read"
    assert rows[0]["results"] == {"pass": 2, "fail": 1, "error": 1}
    assert api_client_for(mallory).get(f"/api/v1/runs/{run.pk}/").status_code == 404


def test_collect_makes_the_connection_due_now(
    alice: User, api_client_for: Client, sample_connection: Connection, acme: Workspace
) -> None:
    response = api_client_for(alice).post(f"/api/v1/connections/{sample_connection.pk}/collect/")
    assert response.status_code == 202
    assert response.json()["next_run_at"] is not None
