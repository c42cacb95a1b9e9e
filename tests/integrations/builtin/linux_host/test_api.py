"""POST /api/v1/host-reports/: agent reports recorded as runs, judged, and refused when bad."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.checks.models import CheckResult
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem
from attestly.integrations.builtin.linux_host.agent import build_report
from attestly.integrations.models import CollectionRun

from .hosts import HARDENED, HARDENED_COMMANDS, WEAK, WEAK_COMMANDS, host

pytestmark = pytest.mark.django_db
URL = "/api/v1/host-reports/"


def results(workspace: Workspace, key: str) -> dict[str, tuple[str, str]]:
    rows = CheckResult.objects.filter(workspace=workspace, resource_key=key, is_current=True)
    return {r.check_id: (r.status, r.detail) for r in rows}


def report(tmp_path: Path, files: dict[str, str], commands: Any) -> dict[str, Any]:
    return build_report("acme", host(tmp_path, files, commands), system="Linux")


def test_a_report_becomes_a_judged_run(
    tmp_path: Path, acme: Workspace, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice, workspace=acme)
    response = client.post(URL, report(tmp_path, HARDENED, HARDENED_COMMANDS), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["connection"], body["status"]) == ("agent:web-1", "succeeded")
    assert body["evidence_items"] == 9
    assert body["results"] == {"pass": 17}
    assert set(s for s, _d in results(acme, "web-1").values()) == {"pass"}


def test_a_second_report_reuses_the_connection_and_updates_results(
    tmp_path: Path, acme: Workspace, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice)
    client.post(URL, report(tmp_path / "a", HARDENED, HARDENED_COMMANDS), format="json")
    weak = report(tmp_path / "b", WEAK, WEAK_COMMANDS)
    weak["host"] = "web-1"
    for item in weak["records"]:
        item["key"] = "web-1"
    assert client.post(URL, weak, format="json").status_code == 201
    assert CollectionRun.objects.filter(workspace=acme, connection_name="agent:web-1").count() == 2
    assert results(acme, "web-1")["linux_host_ssh_root_login_disabled"] == (
        "fail",
        "permitrootlogin is yes in sshd_config",
    )


def test_facets_the_agent_could_not_collect_answer_error(
    tmp_path: Path, acme: Workspace, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    body["records"] = [r for r in body["records"] if r["kind"] != "linux_host.accounts"]
    body["errors"] = {"accounts": {"category": "missing_permission",
                                   "message": "accounts: /etc/passwd is not readable"}}  # fmt: skip
    response = api_client_for(alice).post(URL, body, format="json")
    assert response.json()["status"] == "partial"
    # No accounts evidence yet: the runner files the error under the connection itself.
    assert results(acme, "connection:agent:web-1")["linux_host_accounts_single_uid0"] == (
        "error",
        "collector accounts failed: accounts: /etc/passwd is not readable",
    )
    assert results(acme, "web-1")["linux_host_ssh_root_login_disabled"][0] == "pass"


def test_a_malformed_report_is_refused_whole(
    tmp_path: Path, acme: Workspace, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    firewall = next(r for r in body["records"] if r["kind"] == "linux_host.firewall")
    firewall["data"]["rule_count"] = "many"
    response = api_client_for(alice).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("records[1].data.rule_count: Input should be")
    assert not EvidenceItem.objects.filter(workspace=acme).exists()
    assert not CollectionRun.objects.filter(workspace=acme).exists()


def test_a_record_for_another_host_is_refused(
    tmp_path: Path, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    body["records"][0]["key"] = "db-1"
    response = api_client_for(alice).post(URL, body, format="json")
    assert response.json() == {"detail": "records[0].key: 'db-1' is not the report's host 'web-1'"}


def test_a_read_only_token_is_refused(
    tmp_path: Path, alice: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    assert api_client_for(alice, scope="read").post(URL, body, format="json").status_code == 403


def test_a_viewer_is_refused(
    tmp_path: Path, bob: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    assert api_client_for(bob).post(URL, body, format="json").status_code == 403


def test_another_workspace_answers_404(
    tmp_path: Path, acme: Workspace, mallory: User, api_client_for: Callable[..., APIClient]
) -> None:
    body = report(tmp_path, HARDENED, HARDENED_COMMANDS)
    assert api_client_for(mallory).post(URL, body, format="json").status_code == 404
