"""The PostgreSQL collectors against two real clusters, judged by the real checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from attestly.integrations.base import BadCredentials, PermissionDenied, Record, Unreachable
from attestly.integrations.builtin.postgresql.client import PostgresClient, Target
from attestly.integrations.builtin.postgresql.collectors import (
    collect_hba,
    collect_roles,
    collect_settings,
)
from attestly.testing.pgcluster import free_port

from .conftest import AUDITOR_PASSWORD, Clusters, Server


def client(server: Server, user: str = "postgres", password: str | None = None) -> PostgresClient:
    target = Target("127.0.0.1", server.port, user, password or server.password, connect_timeout=5)
    return PostgresClient(target)


def collect(server: Server) -> list[Record]:
    c = client(server)
    return [collect_settings(c), collect_roles(c), collect_hba(c)]


def statuses(judged: dict[tuple[str, str], tuple[str, str]]) -> dict[str, str]:
    return {check: status for (check, _key), (status, _detail) in judged.items()}


def test_the_well_configured_server_passes_every_check(
    pg_clusters: Clusters, judge: Callable[..., Any]
) -> None:
    found = statuses(judge(collect(pg_clusters.good), "postgresql_"))
    assert found == {check: "pass" for check in found}
    assert len(found) == 14


def test_the_badly_configured_server_fails_what_it_should(
    pg_clusters: Clusters, judge: Callable[..., Any]
) -> None:
    found = statuses(judge(collect(pg_clusters.bad), "postgresql_"))
    assert sorted(check for check, status in found.items() if status == "pass") == [
        "postgresql_hba_file_valid",
        "postgresql_server_version_supported",
    ]
    assert set(found.values()) == {"pass", "fail"}


def test_hba_failures_name_the_lines(pg_clusters: Clusters, judge: Callable[..., Any]) -> None:
    key = f"127.0.0.1:{pg_clusters.bad.port}"
    judged = judge(collect(pg_clusters.bad), "postgresql_hba")
    assert judged[("postgresql_hba_no_trust", key)] == (
        "fail",
        "trust authentication: line 1 (local)",
    )
    assert judged[("postgresql_hba_ssl_enforced", key)] == (
        "fail",
        "network rules without TLS: line 3 (host 10.0.0.0), line 4 (hostnossl 192.168.0.0)",
    )


def test_roles_evidence_lists_superusers_and_login_roles(pg_clusters: Clusters) -> None:
    data = collect_roles(client(pg_clusters.bad)).data
    assert data["superusers"] == ["admin2", "postgres"]
    assert data["login_roles"] == ["admin2", "postgres"]


def test_settings_record_the_collectors_own_tls_session(pg_clusters: Clusters) -> None:
    assert collect_settings(client(pg_clusters.good)).data["connection_ssl"] is True
    assert collect_settings(client(pg_clusters.bad)).data["connection_ssl"] is False


def test_wrong_credentials_are_named(pg_clusters: Clusters) -> None:
    with pytest.raises(BadCredentials, match=r"refused user 'postgres': .*password authentication"):
        collect_settings(client(pg_clusters.good, password="wrong"))


def test_a_closed_port_is_unreachable() -> None:
    port = free_port()
    with pytest.raises(Unreachable, match=rf"^connection refused by 127.0.0.1:{port} "):
        collect_settings(client(Server(port, "x")))


def test_a_non_superuser_is_denied_pg_hba_file_rules_only(pg_clusters: Clusters) -> None:
    auditor = client(pg_clusters.good, "auditor", AUDITOR_PASSWORD)
    assert collect_settings(auditor).data["settings"]["ssl"] == "on"
    with pytest.raises(PermissionDenied, match="permission denied for view pg_hba_file_rules"):
        collect_hba(auditor)


def test_a_role_granted_pg_hba_file_rules_reads_it(pg_clusters: Clusters) -> None:
    granted = client(pg_clusters.good, "granted", AUDITOR_PASSWORD)
    assert [r["type"] for r in collect_hba(granted).data["rules"]] == [
        "local",
        "hostssl",
        "hostssl",
    ]
