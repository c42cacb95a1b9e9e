"""Every PostgreSQL check on recorded evidence: pass, fail, and error (server unreachable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from attestly.checks.registry import get_registry

from ..conftest import record

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
GOOD = {
    "ssl": "on",
    "ssl_min_protocol_version": "TLSv1.2",
    "password_encryption": "scram-sha-256",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_statement": "ddl",
    "archive_mode": "on",
    "archive_command": "pgbackrest archive-push %p",
    "server_version_num": "150010",
}


def settings(**changes: str) -> dict[str, Any]:
    values = {**GOOD, **changes}
    return {"settings": values, "major_version": int(values["server_version_num"]) // 10000,
            "connection_ssl": True, "declared_backup": None}  # fmt: skip


def rule(
    line: int, kind: str, method: str | None, address: str | None = "10.0.0.0", error: str = ""
) -> dict[str, Any]:
    return {
        "line_number": line,
        "type": kind,
        "database": ["all"],
        "user_name": ["all"],
        "address": address,
        "netmask": "255.0.0.0",
        "auth_method": method,
        "error": error or None,
    }


HBA = {"rules": [rule(1, "local", "peer", None), rule(2, "hostssl", "scram-sha-256"),
                 rule(3, "host", "scram-sha-256", "127.0.0.1")]}  # fmt: skip


def roles(*supers: str) -> dict[str, Any]:
    return {"roles": [], "superusers": list(supers), "login_roles": ["app", *supers]}


S, H, R = "postgresql.settings", "postgresql.hba", "postgresql.roles"
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("postgresql_server_ssl_enabled", S, settings(), settings(ssl="off")),
    ("postgresql_server_tls_min_version", S, settings(),
     settings(ssl_min_protocol_version="TLSv1")),
    ("postgresql_server_password_encryption_scram", S, settings(),
     settings(password_encryption="md5")),
    ("postgresql_server_connections_logged", S, settings(), settings(log_connections="off")),
    ("postgresql_server_disconnections_logged", S, settings(), settings(log_disconnections="off")),
    ("postgresql_server_ddl_logged", S, settings(), settings(log_statement="none")),
    ("postgresql_server_wal_archiving_enabled", S, settings(), settings(archive_mode="off")),
    ("postgresql_server_version_supported", S, settings(), settings(server_version_num="130012")),
    ("postgresql_hba_no_trust", H, HBA, {"rules": [rule(1, "local", "trust", None)]}),
    ("postgresql_hba_no_cleartext_password", H, HBA, {"rules": [rule(1, "hostssl", "password")]}),
    ("postgresql_hba_no_md5", H, HBA, {"rules": [rule(1, "hostssl", "md5")]}),
    ("postgresql_hba_ssl_enforced", H, HBA, {"rules": [rule(1, "host", "scram-sha-256")]}),
    ("postgresql_hba_file_valid", H, HBA,
     {"rules": [rule(1, "host", None, error="invalid authentication method \"foo\"")]}),
    ("postgresql_roles_superusers_limited", R, roles("postgres"), roles("postgres", "ops")),
]  # fmt: skip


def verdict(judge: Callable[..., Any], check: str, kind: str, data: dict[str, Any]) -> Any:
    return judge([record(kind, data)], check, NOW)[(check, "r1")]


def test_every_postgresql_check_has_a_case() -> None:
    registered = {c.id for c in get_registry() if c.id.startswith("postgresql_")}
    assert registered == {case[0] for case in CASES}


@pytest.mark.parametrize(("check", "kind", "passing", "failing"), CASES)
def test_pass_fail_and_error(
    judge: Callable[..., Any], check: str, kind: str, passing: Any, failing: Any
) -> None:
    assert verdict(judge, check, kind, passing)[0] == "pass"
    assert verdict(judge, check, kind, failing)[0] == "fail"
    denied = {"error": "permission denied: reading pg_hba_file_rules needs a superuser"}
    assert verdict(judge, check, kind, denied) == ("error", denied["error"])


def test_a_declared_backup_passes_without_wal_archiving(judge: Callable[..., Any]) -> None:
    data = {**settings(archive_mode="off"), "declared_backup": "RDS automated snapshots"}
    assert verdict(judge, "postgresql_server_wal_archiving_enabled", S, data)[0] == "pass"


def test_an_end_of_life_version_says_when_support_ended(judge: Callable[..., Any]) -> None:
    data = settings(server_version_num="140015")
    assert verdict(judge, "postgresql_server_version_supported", S, data) == (
        "fail",
        "PostgreSQL 14: community support ended on 2026-11-12",
    )


def test_an_unknown_version_is_an_error_not_a_pass(judge: Callable[..., Any]) -> None:
    data = settings(server_version_num="90600")
    assert verdict(judge, "postgresql_server_version_supported", S, data) == (
        "error",
        "PostgreSQL 9: not in the end-of-life table",
    )
