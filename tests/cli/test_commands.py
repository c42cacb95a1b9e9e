"""The real `attestly` command, in fresh processes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


def test_catalog_criteria_json_needs_no_database_or_server(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("catalog", "criteria", "--format", "json")
    assert result.returncode == 0, result.stderr
    criteria = json.loads(result.stdout)
    assert len(criteria) == 61
    assert sum(len(c["points_of_focus"]) for c in criteria) == 330
    assert not (tmp_path / "data").exists()  # nothing was created


def test_catalog_criteria_csv_and_filters(run_cli: Run) -> None:
    result = run_cli(
        "catalog", "criteria", "--framework", "soc2", "--category", "privacy", "--format", "csv"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "framework,id,category,title,points_of_focus_count"
    assert len(lines) == 1 + 18


def test_catalog_frameworks_table_lists_all_four(run_cli: Run) -> None:
    result = run_cli("catalog", "frameworks")
    assert result.returncode == 0, result.stderr
    for framework in ("soc2", "iso27001", "nist-csf", "gdpr"):
        assert framework in result.stdout


def test_catalog_points_of_focus_for_one_criterion(run_cli: Run) -> None:
    result = run_cli("catalog", "points-of-focus", "--criterion", "CC2.2", "--format", "json")
    rows = json.loads(result.stdout)
    assert [r["scope"] for r in rows].count("system") == 3
    assert len(rows) == 13


def test_catalog_unknown_framework_is_a_clear_error(run_cli: Run) -> None:
    result = run_cli("catalog", "criteria", "--framework", "soc3")
    assert result.returncode == 2
    assert "unknown framework 'soc3'" in result.stderr


def test_catalog_schema_is_json_schema(run_cli: Run) -> None:
    schema = json.loads(run_cli("catalog", "schema", "framework").stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "framework" in schema["properties"]


def test_init_creates_everything_then_never_overwrites(run_cli: Run, tmp_path: Path) -> None:
    password = tmp_path / "pw"
    password.write_text("a long enough admin password 7\n")
    first = run_cli("init", "--admin-password-file", str(password))
    assert first.returncode == 0, first.stderr
    data = tmp_path / "data"
    key = (data / "secret_key").read_text()
    assert oct((data / "secret_key").stat().st_mode & 0o777) == "0o600"
    (data / "attestly.toml").write_text("[attestly]\nport = 9123\n")
    second = run_cli("init", "--admin-password-file", str(password))
    assert second.returncode == 0, second.stderr
    assert "kept existing secret key" in second.stdout
    assert "kept existing config" in second.stdout
    assert "kept existing admin user" in second.stdout
    assert (data / "secret_key").read_text() == key
    assert (data / "attestly.toml").read_text() == "[attestly]\nport = 9123\n"


def test_init_refuses_a_weak_admin_password(run_cli: Run, tmp_path: Path) -> None:
    password = tmp_path / "pw"
    password.write_text("12345\n")
    result = run_cli("init", "--admin-password-file", str(password))
    assert result.returncode == 2
    assert "admin user" in result.stderr


def test_check_config_names_the_bad_option(run_cli: Run) -> None:
    result = run_cli("check-config", env={"ATTESTLY_PORT": "http"})
    assert result.returncode == 2
    assert "ATTESTLY_PORT" in result.stderr


def test_check_config_refuses_placeholder_secret(run_cli: Run) -> None:
    result = run_cli("check-config", env={"ATTESTLY_SECRET_KEY": "changeme"})
    assert result.returncode == 2
    assert "ATTESTLY_SECRET_KEY" in result.stderr
    assert "placeholder" in result.stderr


def test_start_up_fails_on_bad_option_naming_it(run_cli: Run) -> None:
    result = run_cli("serve", env={"ATTESTLY_THREADS": "0", "ATTESTLY_SECRET_KEY": "x" * 40})
    assert result.returncode == 2
    assert "ATTESTLY_THREADS" in result.stderr


def test_serve_without_data_dir_says_run_init(run_cli: Run) -> None:
    result = run_cli("serve", env={"ATTESTLY_SECRET_KEY": "x" * 40})
    assert result.returncode == 2
    assert "attestly init" in result.stderr


def test_serve_refuses_unapplied_migrations_and_says_what_to_run(
    run_cli: Run, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    result = run_cli("serve", env={"ATTESTLY_SECRET_KEY": "x" * 40})
    assert result.returncode == 2
    assert "unapplied migrations" in result.stderr
    assert "attestly migrate" in result.stderr


def test_check_config_passes_after_init(run_cli: Run, tmp_path: Path) -> None:
    password = tmp_path / "pw"
    password.write_text("a long enough admin password 7\n")
    assert run_cli("init", "--admin-password-file", str(password)).returncode == 0
    result = run_cli("check-config")
    assert result.returncode == 0, result.stderr
    assert "configuration valid" in result.stdout


@pytest.mark.slow
def test_demo_sets_up_workspace_and_prints_url_login_and_token(run_cli: Run) -> None:
    result = run_cli("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8000/" in result.stdout
    assert "login:     demo" in result.stdout
    assert "API token: atk_" in result.stdout


def test_serve_on_a_busy_port_says_so(run_cli: Run, tmp_path: Path) -> None:
    import socket

    password = tmp_path / "pw"
    password.write_text("a long enough admin password 7\n")
    assert run_cli("init", "--admin-password-file", str(password)).returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
