from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from attestly.cli.main import app
from attestly.core.models import Workspace
from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.secrets import SecretBox
from tests.integrations.sample import fixtures
from tests.integrations.sample.server import SampleServer

pytestmark = pytest.mark.django_db
runner = CliRunner()
sample_installed = fixtures.sample_installed
sample_server = fixtures.sample_server


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def connect(server: SampleServer, *extra: str) -> tuple[int, str]:
    return invoke(
        "connect", "sample", "--workspace", "acme", "--name", "prod",
        "--set", f"url={server.url}", *extra,
    )  # fmt: skip


def test_connect_with_flags_tests_the_connection(
    acme: Workspace, sample_installed: Any, sample_server: SampleServer, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(sample_server.token + "\n")
    code, out = connect(sample_server, "--secret-file", f"token={token_file}", "--schedule", "2h")
    assert code == 0, out
    assert "Connected prod (Sample service), schedule 2h." in out
    assert "ok: connected as robot" in out
    assert Connection.objects.get(name="prod").schedule == "2h"


def test_connect_names_what_is_missing_or_unknown(
    acme: Workspace, sample_installed: Any, sample_server: SampleServer
) -> None:
    code, out = connect(sample_server)
    assert code == 2
    assert "token: Field required" in out
    code, out = invoke("connect", "nope", "--workspace", "acme", "--name", "x")
    assert code == 2
    assert "no integration 'nope' (installed: " in out
    assert "sample" in out


def test_list_test_collect_and_remove(
    acme: Workspace, sample_installed: Any, sample_server: SampleServer
) -> None:
    assert connect(sample_server, "--secret", f"token={sample_server.token}", "--no-test")[0] == 0
    code, out = invoke("connections", "list", "--workspace", "acme", "--format", "json")
    assert [(r["name"], r["integration"], r["schedule"]) for r in json.loads(out)] == [
        ("prod", "sample", "1h")
    ]
    code, out = invoke("collect", "--workspace", "acme", "--connection", "prod")
    assert code == 0, out
    assert "prod: succeeded in" in out
    assert "5 resources, 5 evidence items, 3 API calls; results: fail 2, pass 3" in out
    assert CollectionRun.objects.get().evidence_items == 5
    sample_server.token = "revoked"
    code, out = invoke("connections", "test", "prod", "--workspace", "acme")
    assert code == 1
    assert "bad_credentials: GET /me answered 401: the credentials were refused" in out
    code, out = invoke("collect", "--workspace", "acme")
    assert code == 1
    assert "prod: failed in" in out
    assert "  users: GET /users answered 401: the credentials were refused" in out
    code, out = invoke("connections", "remove", "prod", "--workspace", "acme", "--yes")
    assert code == 0
    assert not Connection.objects.exists()


def test_secrets_rotate_re_encrypts_under_the_new_key(
    acme: Workspace, sample_installed: Any, sample_server: SampleServer, tmp_path: Path
) -> None:
    connect(sample_server, "--secret", "token=tok-before-rotation", "--no-test")
    key_file = tmp_path / "new_key"
    key_file.write_text("the-new-installation-secret-key-1234567890\n")
    code, out = invoke("secrets", "rotate", "--new-key-file", str(key_file))
    assert code == 0, out
    assert "Re-encrypted the secrets of 1 connections" in out
    stored = Connection.objects.get(name="prod").secrets
    assert SecretBox("the-new-installation-secret-key-1234567890").open(stored) == {
        "token": "tok-before-rotation"
    }


def test_secrets_rotate_without_a_new_key_explains_what_to_do(acme: Workspace) -> None:
    code, out = invoke("secrets", "rotate")
    assert code == 2
    assert "pass it as --new-key-file" in out


def test_on_a_terminal_missing_required_fields_are_asked_for_secrets_unechoed() -> None:
    from attestly.cli.integrations import _prompt_missing
    from tests.integrations.sample.integration import integration

    values: dict[str, Any] = {"org": "acme"}
    with runner.isolation(input="http://api.test\ntok-typed-in\n") as streams:
        _prompt_missing(integration, values)
        shown = streams[0].getvalue().decode()
    assert values == {"org": "acme", "url": "http://api.test", "token": "tok-typed-in"}
    assert "url (Base URL of the sample API" in shown
    assert "token (API token):" in shown
    assert "tok-typed-in" not in shown


def test_secrets_rotate_with_a_key_file_generates_and_replaces_it(
    acme: Workspace,
    sample_installed: Any,
    sample_server: SampleServer,
    tmp_path: Path,
    settings: Any,
) -> None:
    connect(sample_server, "--secret", "token=tok-in-file-mode", "--no-test")
    settings.OPTIONS = settings.OPTIONS.model_copy(
        update={"secret_key": None, "data_dir": tmp_path}
    )
    key_path = tmp_path / "secret_key"
    key_path.write_text(settings.SECRET_KEY + "\n")
    code, out = invoke("secrets", "rotate")
    assert code == 0, out
    assert f"Wrote the new key to {key_path} (mode 0600)." in out.replace("\n", "")
    new_key = key_path.read_text().strip()
    assert new_key != settings.SECRET_KEY
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "secret_key.new").exists()
    stored = Connection.objects.get(name="prod").secrets
    assert SecretBox(new_key).open(stored) == {"token": "tok-in-file-mode"}
