"""The PostgreSQL integration through the framework's runner: a connection, a run, results."""

from __future__ import annotations

import pytest

from attestly.checks.models import CheckResult
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem
from attestly.integrations.actions import do_start_collection_run
from attestly.integrations.base import CollectContext
from attestly.integrations.builtin.postgresql.integration import PostgresConfig, integration
from attestly.integrations.collection import RunOptions, execute_run
from attestly.testing.factories import make_connection

from .conftest import AUDITOR_PASSWORD, Clusters

pytestmark = pytest.mark.django_db


def results(workspace: Workspace) -> dict[str, tuple[str, str]]:
    rows = CheckResult.objects.filter(
        workspace=workspace, is_current=True, check_id__startswith="postgresql_"
    )
    return {r.check_id: (r.status, r.detail) for r in rows}


def test_a_role_denied_pg_hba_file_rules_errors_only_the_hba_checks(
    acme: Workspace, pg_clusters: Clusters
) -> None:
    connection = make_connection(
        acme, "postgresql", name="db-prod",
        config={"host": "127.0.0.1", "port": pg_clusters.good.port, "user": "auditor",
                "password": AUDITOR_PASSWORD, "sslmode": "require"},
    )  # fmt: skip
    run = execute_run(do_start_collection_run(actor=None, connection=connection).pk, RunOptions())
    assert run.status == "partial"
    assert run.errors["hba"]["category"] == "missing_permission"
    found = results(acme)
    errored = sorted(check for check, (status, _d) in found.items() if status == "error")
    assert errored == [
        "postgresql_hba_file_valid",
        "postgresql_hba_no_cleartext_password",
        "postgresql_hba_no_md5",
        "postgresql_hba_no_trust",
        "postgresql_hba_ssl_enforced",
    ]
    assert "permission denied for view pg_hba_file_rules" in found["postgresql_hba_no_trust"][1]
    assert found["postgresql_server_ssl_enabled"][0] == "pass"
    assert set(EvidenceItem.objects.filter(workspace=acme).values_list("kind", flat=True)) == {
        "postgresql.settings",
        "postgresql.roles",
    }


def test_the_connection_test_names_wrong_credentials(pg_clusters: Clusters) -> None:
    config = PostgresConfig(
        host="127.0.0.1",
        port=pg_clusters.good.port,
        user="postgres",
        password="nope",  # type: ignore[arg-type]
    )
    outcome = integration.test_connection(CollectContext(config=config))
    assert outcome.status == "bad_credentials"
    assert "password authentication failed" in outcome.message


def test_the_connection_test_names_the_missing_grant(pg_clusters: Clusters) -> None:
    config = PostgresConfig(
        host="127.0.0.1",
        port=pg_clusters.good.port,
        user="auditor",
        password=AUDITOR_PASSWORD,  # type: ignore[arg-type]
    )
    outcome = integration.test_connection(CollectContext(config=config))
    assert outcome.status == "missing_permission"
    assert "GRANT SELECT ON pg_hba_file_rules" in outcome.missing_permissions[0]
