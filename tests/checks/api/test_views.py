from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.checks.models import CheckException, CheckResult
from attestly.core.models import Workspace

pytestmark = pytest.mark.django_db
PROWLER = (Path(__file__).parent.parent / "fixtures" / "prowler-output.ocsf.json").read_bytes()
Client = Callable[..., APIClient]


@pytest.fixture
def imported(acme: Workspace, alice: User) -> Workspace:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    return acme


def a_failure(workspace: Workspace) -> CheckResult:
    return CheckResult.objects.filter(workspace=workspace, status="fail").order_by("pk").first()  # type: ignore[return-value]


def test_checks_are_listed_and_shown(alice: User, api_client_for: Client) -> None:
    client = api_client_for(alice)
    ids = {c["id"] for c in client.get("/api/v1/checks/").json()}
    assert "evidence_upload_fresh" in ids
    body = client.get("/api/v1/checks/evidence_upload_effective_recent/").json()
    assert body["declarative"] is True and body["rule"]["require"]
    assert client.get("/api/v1/checks/nope/").status_code == 404


def test_results_are_scoped_to_the_callers_workspaces(
    imported: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    body = (
        api_client_for(alice)
        .get("/api/v1/check-results/", {"workspace": "acme", "current": "true"})
        .json()
    )
    assert body["count"] == 9
    failing = a_failure(imported)
    outsider = api_client_for(mallory)
    assert outsider.get("/api/v1/check-results/").json()["count"] == 0
    assert outsider.get(f"/api/v1/check-results/{failing.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/check-results/{failing.pk}/replay/").status_code == 404


def test_replay_and_unknown_filters(
    imported: Workspace, alice: User, api_client_for: Client
) -> None:
    client = api_client_for(alice)
    failing = a_failure(imported)
    body = client.get(f"/api/v1/check-results/{failing.pk}/replay/").json()
    assert (body["stored"], body["replayed"], body["same"]) == ("fail", "fail", True)
    response = client.get("/api/v1/check-results/", {"colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_exceptions_granted_by_writers_only_and_revoked(
    imported: Workspace, alice: User, bob: User, mallory: User, api_client_for: Client
) -> None:
    failing = a_failure(imported)
    payload = {
        "result": failing.pk,
        "reason": "Bucket retired next week",
        "approver": "bob",
        "expires_on": (timezone.now().date() + dt.timedelta(days=7)).isoformat(),
    }
    assert (
        api_client_for(bob).post("/api/v1/check-exceptions/", payload, format="json").status_code
        == 403
    )
    assert (
        api_client_for(mallory)
        .post("/api/v1/check-exceptions/", payload, format="json")
        .status_code
        == 404
    )
    client = api_client_for(alice)
    created = client.post("/api/v1/check-exceptions/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["active"] is True
    result = client.get(f"/api/v1/check-results/{failing.pk}/").json()
    assert (result["status"], result["stored_status"]) == ("excepted", "fail")
    exception_id = created.json()["id"]
    assert (
        api_client_for(mallory).delete(f"/api/v1/check-exceptions/{exception_id}/").status_code
        == 404
    )
    assert client.delete(f"/api/v1/check-exceptions/{exception_id}/").status_code == 204
    assert CheckException.objects.get(pk=exception_id).revoked_at is not None
    assert client.get(f"/api/v1/check-results/{failing.pk}/").json()["status"] == "fail"


def test_bad_exception_is_a_400_with_detail(
    imported: Workspace, alice: User, api_client_for: Client
) -> None:
    response = api_client_for(alice).post(
        "/api/v1/check-exceptions/",
        {
            "result": a_failure(imported).pk,
            "reason": "x",
            "approver": "alice",
            "expires_on": "2001-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()["detail"]


def test_mappings_are_edited_through_the_api(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    client = api_client_for(alice)
    created = client.post(
        "/api/v1/check-mappings/",
        {"workspace_slug": "acme", "check_id": "prowler:custom_check", "controls": ["CRY-01"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    mapping_id = created.json()["id"]
    updated = client.put(
        f"/api/v1/check-mappings/{mapping_id}/",
        {"controls": ["CRY-02"], "criteria": ["CC6.7"]},
        format="json",
    )
    assert updated.json()["controls"] == ["CRY-02"]
    assert (
        client.post(
            "/api/v1/check-mappings/",
            {"workspace_slug": "acme", "check_id": "x:y", "controls": ["NOPE-1"]},
            format="json",
        ).status_code
        == 400
    )
    assert api_client_for(mallory).get(f"/api/v1/check-mappings/{mapping_id}/").status_code == 404
    assert (
        api_client_for(mallory)
        .post(
            "/api/v1/check-mappings/",
            {"workspace_slug": "acme", "check_id": "x:y", "controls": ["CRY-01"]},
            format="json",
        )
        .status_code
        == 404
    )
    assert client.delete(f"/api/v1/check-mappings/{mapping_id}/").status_code == 204


def test_period_endpoint(
    imported: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    today = timezone.now().date().isoformat()
    params = {"workspace": "acme", "level": "control", "start": today, "end": today}
    rows = {
        r["key"]: r
        for r in api_client_for(alice).get("/api/v1/check-results/period/", params).json()
    }
    assert rows["CRY-02"]["days_failing"] == 1
    assert api_client_for(mallory).get("/api/v1/check-results/period/", params).status_code == 404


def test_schema_builds(alice: User, api_client_for: Client) -> None:
    assert api_client_for(alice).get("/api/v1/schema/").status_code == 200
