"""The TLS integration through the framework's runner: one connection, several endpoints."""

from __future__ import annotations

import pytest

from attestly.checks.models import CheckResult
from attestly.core.models import Workspace
from attestly.integrations.actions import do_start_collection_run
from attestly.integrations.base import CollectContext
from attestly.integrations.builtin.tls.integration import TlsConfig, integration
from attestly.integrations.collection import RunOptions, execute_run
from attestly.testing.factories import make_connection
from attestly.testing.tlsserver import closed_port

from .conftest import Lab


@pytest.mark.django_db
def test_a_run_judges_each_endpoint_and_an_unreachable_one_errors(
    acme: Workspace, tls_lab: Lab
) -> None:
    good, legacy, closed = tls_lab.ports["good"], tls_lab.ports["legacy"], closed_port()
    connection = make_connection(
        acme, "tls", name="web",
        config={"endpoints": [f"127.0.0.1:{good}", f"127.0.0.1:{legacy}", f"127.0.0.1:{closed}"],
                "server_name": "localhost", "ca_bundle": tls_lab.ca_bundle, "https": True},
    )  # fmt: skip
    run = execute_run(do_start_collection_run(actor=None, connection=connection).pk, RunOptions())
    assert (run.status, run.evidence_items) == ("succeeded", 12)
    rows = CheckResult.objects.filter(workspace=acme, is_current=True, check_id__startswith="tls_")
    by_endpoint: dict[str, set[str]] = {}
    for row in rows:
        by_endpoint.setdefault(row.resource_key.rsplit(":", 1)[1], set()).add(row.status)
    assert by_endpoint == {
        str(good): {"pass"},
        str(legacy): {"pass", "fail", "not_applicable"},
        str(closed): {"error"},
    }


def test_the_connection_test_names_a_closed_port() -> None:
    port = closed_port()
    outcome = integration.test_connection(
        CollectContext(config=TlsConfig(endpoints=[f"127.0.0.1:{port}"]))
    )
    assert (outcome.status, outcome.message) == (
        "unreachable",
        f"connection refused by 127.0.0.1:{port}",
    )


def test_the_connection_test_reports_each_handshake(tls_lab: Lab) -> None:
    port = tls_lab.ports["good"]
    outcome = integration.test_connection(
        CollectContext(config=TlsConfig(endpoints=[f"127.0.0.1:{port}"]))
    )
    assert (outcome.ok, outcome.message) == (
        True,
        f"TLS handshake completed: 127.0.0.1:{port} (TLSv1.3)",
    )


def test_a_bad_endpoint_is_refused_in_the_config() -> None:
    with pytest.raises(ValueError, match=r"'example\.com:http' is not host:port"):
        TlsConfig(endpoints=["example.com:http"])
