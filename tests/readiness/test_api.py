from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.controls.models import Control
from attestly.core.models import Workspace
from attestly.readiness.models import CriterionExclusion, ReadinessSnapshot
from attestly.testing.factories import (
    ControlFactory,
    ControlMappingFactory,
    CriterionExclusionFactory,
    FrameworkAdoptionFactory,
    MembershipFactory,
    ReadinessSnapshotFactory,
    WorkspaceFactory,
    criterion,
)

pytestmark = pytest.mark.django_db
Client = Callable[..., APIClient]


def test_adopt_then_rescope(acme: Workspace, alice: User, api_client_for: Client) -> None:
    client = api_client_for(alice)
    response = client.post(
        "/api/v1/adoptions/",
        {"workspace": "acme", "framework": "soc2", "categories": ["availability"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["categories"] == ["security", "availability"]
    assert Control.objects.filter(workspace=acme).count() > 100
    patched = client.patch(
        f"/api/v1/adoptions/{response.json()['id']}/", {"categories": ["privacy"]}, format="json"
    )
    assert patched.json()["categories"] == ["security", "privacy"]
    again = client.post(
        "/api/v1/adoptions/", {"workspace": "acme", "framework": "soc2"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["categories"] == ["security", "privacy"]


def test_adoption_bad_input(
    acme: Workspace, alice: User, bob: User, api_client_for: Client
) -> None:
    client = api_client_for(alice)
    unknown = client.post(
        "/api/v1/adoptions/", {"workspace": "acme", "framework": "hipaa"}, format="json"
    )
    assert unknown.status_code == 400
    assert "Unknown framework 'hipaa'" in unknown.json()["detail"]
    bad_cat = client.post(
        "/api/v1/adoptions/",
        {"workspace": "acme", "framework": "soc2", "categories": ["speed"]},
        format="json",
    )
    assert bad_cat.status_code == 400
    assert "Unknown soc2 categories: speed" in bad_cat.json()["detail"]
    viewer = api_client_for(bob).post(
        "/api/v1/adoptions/", {"workspace": "acme", "framework": "soc2"}, format="json"
    )
    assert viewer.status_code == 403
    assert Control.objects.count() == 0


def test_criterion_exclusion_needs_reason_and_leaves_readiness(
    acme: Workspace, alice: User, api_client_for: Client
) -> None:
    FrameworkAdoptionFactory(workspace=acme, categories=["privacy"])
    client = api_client_for(alice)
    no_reason = client.post(
        "/api/v1/criterion-exclusions/",
        {"workspace": "acme", "criterion": "soc2:P3.2", "reason": ""},
        format="json",
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    assert CriterionExclusion.objects.count() == 0
    created = client.post(
        "/api/v1/criterion-exclusions/",
        {
            "workspace": "acme",
            "criterion": "soc2:P3.2",
            "reason": "We never rely on explicit consent.",
        },
        format="json",
    )
    assert created.status_code == 201
    readiness = client.get("/api/v1/readiness/", {"workspace": "acme", "criterion": "P3.2"}).json()
    row = readiness["results"][0]["criteria"][0]
    assert (row["status"], row["score"]) == ("not_applicable", None)
    assert row["not_applicable_reason"] == "We never rely on explicit consent."
    assert client.delete(f"/api/v1/criterion-exclusions/{created.json()['id']}/").status_code == 204


def test_readiness_per_framework_category_and_criterion(
    acme: Workspace, alice: User, api_client_for: Client
) -> None:
    FrameworkAdoptionFactory(workspace=acme, categories=["availability"])
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="implemented"),
        criterion=criterion("soc2:A1.2"),
    )
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="in_progress"),
        criterion=criterion("soc2:A1.3"),
    )
    body = (
        api_client_for(alice)
        .get("/api/v1/readiness/", {"workspace": "acme", "framework": "soc2"})
        .json()
    )
    result = body["results"][0]
    rows = {r["ref"]: r for r in result["criteria"]}
    assert len(rows) == 36  # 33 common criteria + 3 availability
    assert (rows["A1.2"]["status"], rows["A1.2"]["score"]) == ("met", 100.0)
    assert (rows["A1.3"]["status"], rows["A1.3"]["score"]) == ("partly_met", 50.0)
    assert rows["CC6.1"]["status"] == "not_met"
    availability = next(c for c in result["categories"] if c["id"] == "availability")
    assert availability["score"] == 50.0
    assert result["score"] == round(100 * 1.5 / 36, 1)
    assert result["counts"] == {"met": 1, "partly_met": 1, "not_met": 34, "not_applicable": 0}


def test_readiness_is_scoped_and_strict(
    acme: Workspace, globex: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    FrameworkAdoptionFactory(workspace=acme)
    FrameworkAdoptionFactory(workspace=globex)
    client = api_client_for(mallory)
    assert [r["workspace"] for r in client.get("/api/v1/readiness/").json()["results"]] == [
        "globex"
    ]
    assert client.get("/api/v1/readiness/", {"workspace": "acme"}).status_code == 400
    assert client.get("/api/v1/readiness/", {"framwork": "soc2"}).status_code == 400


def test_reading_readiness_records_todays_snapshot_once(
    acme: Workspace, alice: User, api_client_for: Client
) -> None:
    FrameworkAdoptionFactory(workspace=acme)
    client = api_client_for(alice)
    client.get("/api/v1/readiness/")
    client.get("/api/v1/readiness/")
    snap = ReadinessSnapshot.objects.get(workspace=acme)
    assert snap.date == timezone.localdate()
    assert snap.score == 0.0


def test_history_lists_snapshots_oldest_first(
    acme: Workspace,
    globex: Workspace,
    alice: User,
    api_client_for: Client,
    django_assert_max_num_queries: Any,
) -> None:
    for score in (10.0, 20.0, 35.5):
        ReadinessSnapshotFactory(workspace=acme, score=score)
    ReadinessSnapshotFactory(workspace=globex)
    client = api_client_for(alice)
    with django_assert_max_num_queries(6):
        body = client.get(
            "/api/v1/readiness-history/", {"workspace": "acme", "framework": "soc2"}
        ).json()
    assert [s["score"] for s in body["results"]] == [10.0, 20.0, 35.5]
    since = client.get("/api/v1/readiness-history/", {"since": body["results"][1]["date"]})
    assert since.json()["count"] == 2


def test_other_workspaces_scope_answers_404(
    acme: Workspace, alice: User, mallory: User, api_client_for: Client
) -> None:
    adoption = FrameworkAdoptionFactory(workspace=acme)
    exclusion = CriterionExclusionFactory(workspace=acme)
    client = api_client_for(mallory)
    assert client.get(f"/api/v1/adoptions/{adoption.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/adoptions/{adoption.pk}/", {"categories": ["privacy"]}, format="json"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/criterion-exclusions/{exclusion.pk}/").status_code == 404
    assert client.get("/api/v1/adoptions/").json()["count"] == 0
    assert CriterionExclusion.objects.count() == 1


def test_read_only_token_cannot_adopt(acme: Workspace, alice: User, api_client_for: Client) -> None:
    response = api_client_for(alice, scope="read").post(
        "/api/v1/adoptions/", {"workspace": "acme", "framework": "soc2"}, format="json"
    )
    assert response.status_code == 403
    assert Control.objects.count() == 0


def test_scope_lists_do_not_query_per_row(
    alice: User, api_client_for: Client, django_assert_max_num_queries: Any
) -> None:
    workspaces = [WorkspaceFactory() for _ in range(6)]
    for ws in workspaces:
        MembershipFactory(workspace=ws, user=alice)
        FrameworkAdoptionFactory(workspace=ws, categories=["privacy"])
        CriterionExclusionFactory(workspace=ws)
    client = api_client_for(alice)
    # Fixed: token, user, the token's last use (once a minute), memberships with versions;
    # then the count, the page and one prefetch, whatever the number of rows.
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/adoptions/").json()["count"] == 6
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/criterion-exclusions/").json()["count"] == 6
