"""`attestly agent`: this host's report to a file, and to a live server over HTTP."""

from __future__ import annotations

import json
import platform
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attestly.accounts.models import ApiToken, User
from attestly.checks.models import CheckResult
from attestly.cli.main import app
from attestly.core.models import Workspace
from attestly.integrations.models import Connection
from attestly.testing.factories import make_token
from attestly.testing.tlsserver import closed_port

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_the_agent_writes_this_hosts_report_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    code, output = invoke("agent", "--workspace", "acme", "--output", str(path))
    assert code == 0, output
    report = json.loads(path.read_text())
    assert (report["format"], report["host"]) == ("attestly-host-report", socket.gethostname())
    assert len(report["records"]) + len(report["errors"]) == 9
    assert f"report written to {path}" in output


def test_the_agent_refuses_a_host_that_is_not_linux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    code, output = invoke("agent", "--workspace", "acme", "--output", str(tmp_path / "r.json"))
    assert code == 2
    assert "this host runs Darwin, not Linux" in output
    assert not (tmp_path / "r.json").exists()


def test_the_agent_needs_somewhere_to_send_the_report() -> None:
    code, output = invoke("agent", "--workspace", "acme")
    assert (code, "give --server URL --token T, or --output FILE" in output) == (2, True)


def test_an_unreachable_server_is_named() -> None:
    port = closed_port()
    code, output = invoke(
        "agent", "-w", "acme", "--server", f"http://127.0.0.1:{port}", "--token", "atk_x"
    )
    assert code == 1
    assert f"cannot reach http://127.0.0.1:{port}/api/v1/host-reports/" in output


@pytest.mark.django_db(transaction=True)
def test_the_agent_reports_to_a_live_server_and_the_checks_run(
    live_server: object, acme: Workspace, alice: User
) -> None:
    _token, key = make_token(alice, workspace=acme)
    code, output = invoke("agent", "-w", "acme", "--server", str(live_server), "--token", key)
    assert code == 0, output
    assert "recorded as run" in output
    host = socket.gethostname()
    connection = Connection.objects.get(workspace=acme, name=f"agent:{host}")
    assert (connection.integration, connection.enabled) == ("linux_host", False)
    judged = CheckResult.objects.filter(
        workspace=acme, resource_key=host, is_current=True, check_id__startswith="linux_host_"
    )
    assert judged.values("check_id").distinct().count() == 17


@pytest.mark.django_db(transaction=True)
def test_a_refused_token_is_reported(live_server: object, acme: Workspace) -> None:
    code, output = invoke("agent", "-w", "acme", "--server", str(live_server), "--token", "bad")
    assert code == 1
    assert "the server refused the report: HTTP 401" in output


@pytest.mark.django_db
def test_agent_token_makes_a_write_token_for_one_workspace(acme: Workspace, alice: User) -> None:
    code, output = invoke("agent-token", "--workspace", "acme", "--as", "alice")
    assert code == 0, output
    token = ApiToken.objects.get(user=alice)
    assert (token.scope, token.workspace, token.name) == ("write", acme, "agent:acme")
    assert output.splitlines()[0].startswith(f"atk_{token.lookup}_")


@pytest.mark.django_db
def test_agent_token_refuses_a_viewer(acme: Workspace, bob: User) -> None:
    code, output = invoke("agent-token", "--workspace", "acme", "--as", "bob")
    assert code == 2
    assert "bob is not an editor, admin or owner of acme" in output
