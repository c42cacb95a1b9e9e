from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.core.models import AuditEntry, Workspace
from attestly.integrations import background
from attestly.integrations.actions import do_start_collection_run, load_config
from attestly.integrations.collection import execute_run
from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.tasks import collect_connection
from tests.integrations.sample.server import SampleServer

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_catalogue_lists_integrations_and_connections(
    alice: User, sample_connection: Connection
) -> None:
    html = client_for(alice).get("/integrations/").content.decode()
    assert "Sample service" in html
    assert 'href="/integrations/sample/connect/"' in html
    assert f'href="/integrations/connections/{sample_connection.pk}/"' in html


def test_the_connect_form_is_generated_from_the_config_model(
    alice: User, sample_installed: Any
) -> None:
    html = client_for(alice).get("/integrations/sample/connect/").content.decode()
    assert '<input type="password" name="token"' in html
    assert '<input type="text" name="url"' in html
    assert 'name="org" value="acme"' in html  # the default
    assert 'name="schedule" value="1h"' in html


def test_connecting_through_the_form_stores_the_secret_encrypted(
    alice: User, acme: Workspace, sample_installed: Any, sample_server: SampleServer
) -> None:
    form = {"name": "web", "schedule": "6h", "url": sample_server.url, "token": "tok-form-1"}
    response = client_for(alice).post("/integrations/sample/connect/", form)
    connection = Connection.objects.get(name="web")
    assert response.status_code == 302
    assert response["Location"] == f"/integrations/connections/{connection.pk}/"
    assert "tok-form-1" not in connection.secrets
    config = load_config(connection, sample_installed[0].get("sample"))
    assert config.token.get_secret_value() == "tok-form-1"  # type: ignore[attr-defined]


def test_form_errors_never_echo_the_secret(alice: User, sample_installed: Any) -> None:
    form = {"name": "web", "schedule": "every day", "url": "", "token": "tok-form-2"}
    response = client_for(alice).post("/integrations/sample/connect/", form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "neither an interval" in html
    assert "tok-form-2" not in html


def test_viewers_cannot_connect(bob: User, sample_installed: Any) -> None:
    assert client_for(bob).get("/integrations/sample/connect/").status_code == 403


def test_the_connection_page_shows_runs_errors_and_failing_checks(
    alice: User,
    mallory: User,
    sample_connection: Connection,
    sample_server: SampleServer,
    options: Any,
) -> None:
    sample_server.faults["/repos"] = [(403, "{}")] * 10
    collect_connection(sample_connection.pk, options=options)
    url = f"/integrations/connections/{sample_connection.pk}/"
    html = client_for(alice).get(url).content.decode()
    assert "partial" in html
    assert "GET /repos answered 403: permission denied (repos:read)" in html
    assert 'href="/checks/sample_user_mfa_enabled/"' in html
    assert "<strong>1</strong> failing resources" in html
    assert "Turn on MFA for the user" in html  # remediation
    assert sample_server.token not in html
    assert client_for(mallory).get(url).status_code == 404


def test_the_test_button_answers_with_a_partial(
    alice: User, sample_connection: Connection, sample_server: SampleServer
) -> None:
    sample_server.token = "revoked"
    url = f"/integrations/connections/{sample_connection.pk}/test/"
    html = client_for(alice).post(url, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<p id="test-result" role="status" class="error">')
    assert "bad_credentials" in html
    assert "GET /me answered 401: the credentials were refused" in html


def test_collect_now_starts_a_run_the_page_follows_until_it_is_finished(
    alice: User,
    bob: User,
    sample_connection: Connection,
    options: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = f"/integrations/connections/{sample_connection.pk}/collect/"
    assert client_for(bob).post(url).status_code == 403  # a viewer: refused by the matrix
    submitted: list[int] = []
    monkeypatch.setattr(background, "submit", submitted.append)
    with django_capture_on_commit_callbacks(execute=True):
        html = client_for(alice).post(url, HTTP_HX_REQUEST="true").content.decode()
    run = CollectionRun.objects.get(connection=sample_connection)
    assert (run.status, run.trigger, submitted) == ("running", "manual", [run.pk])
    status_url = f"/integrations/connections/{sample_connection.pk}/runs/{run.pk}/"
    assert f'hx-get="{status_url}"' in html
    assert AuditEntry.objects.get(action="integrations.run.start").actor == alice
    # A second click while it runs follows the same run; without JavaScript, back to the page.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(url)
    assert response["Location"] == f"/integrations/connections/{sample_connection.pk}/"
    assert CollectionRun.objects.filter(connection=sample_connection).count() == 1
    assert submitted == [run.pk]
    polled = client_for(bob).get(status_url)  # a viewer may follow it
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert "Collecting now" in polled.content.decode()

    execute_run(run.pk, options)  # what the pool does
    polled = client_for(bob).get(status_url)
    assert polled["HX-Refresh"] == "true"  # the page reloads with the new results
    assert "Collection succeeded" in polled.content.decode()
    other = f"/integrations/connections/{sample_connection.pk}/runs/{run.pk + 1000}/"
    assert client_for(alice).get(other).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_collect_now_pool_carries_out_the_run(
    alice: User, sample_connection: Connection, sample_installed: Any
) -> None:
    run = do_start_collection_run(actor=alice, connection=sample_connection)
    assert background.submit(run.pk).result(timeout=60) == run.pk
    run.refresh_from_db()
    assert run.status != "running" and run.finished_at is not None


def test_editing_shows_settings_but_never_the_secret_and_keeps_it_when_blank(
    alice: User, sample_connection: Connection, sample_server: SampleServer
) -> None:
    url = f"/integrations/connections/{sample_connection.pk}/edit/"
    html = client_for(alice).get(url).content.decode()
    assert f'name="url" value="{sample_server.url}"' in html
    assert 'name="schedule" value="1h"' in html
    assert sample_server.token not in html
    form = {"name": "renamed", "schedule": "2h", "url": sample_server.url, "org": "globex"}
    response = client_for(alice).post(url, form)
    assert response.status_code == 302
    sample_connection.refresh_from_db()
    assert (sample_connection.name, sample_connection.schedule) == ("renamed", "2h")
    config = load_config(sample_connection, sample_connection_integration())
    assert config.token.get_secret_value() == sample_server.token  # type: ignore[attr-defined]


def sample_connection_integration() -> Any:
    from attestly.integrations.registry import get_registry

    return get_registry().get("sample")
