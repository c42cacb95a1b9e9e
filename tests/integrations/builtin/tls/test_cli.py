"""`attestly connect tls` and `attestly collect` against the local TLS servers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from attestly.cli.main import app
from attestly.core.models import Workspace

from .conftest import Lab

runner = CliRunner()


@pytest.mark.django_db
def test_connect_test_and_collect_from_the_command_line(acme: Workspace, tls_lab: Lab) -> None:
    endpoints = json.dumps([f"127.0.0.1:{tls_lab.ports['good']}"])
    result = runner.invoke(
        app,
        ["connect", "tls", "--workspace", "acme", "--name", "web", "--set",
         f"endpoints={endpoints}", "--set", "server_name=localhost", "--set",
         f"ca_bundle={tls_lab.ca_bundle}"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "TLS handshake completed" in result.output
    result = runner.invoke(app, ["collect", "--workspace", "acme", "--connection", "web"])
    assert result.exit_code == 0, result.output
    assert "4 resources, 4 evidence items" in result.output  # (kind, key) pairs
    assert "results: pass 12" in result.output
