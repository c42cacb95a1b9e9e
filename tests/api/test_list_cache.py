"""API list data is cached per caller and workspace data version: a write shows at once, and
no caller's page reaches another caller or workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.checks.models import CheckResult
from attestly.core import datacache
from attestly.core.models import Workspace
from attestly.evidence.actions import do_record_evidence_batch
from attestly.testing.factories import EvidenceInputFactory

pytestmark = pytest.mark.django_db
PROWLER = (
    Path(__file__).parents[1] / "checks" / "fixtures" / "prowler-output.ocsf.json"
).read_bytes()


@pytest.fixture(autouse=True)
def data_cache_on(settings: Any) -> None:
    settings.DATA_CACHE_SECONDS = 60
    datacache.clear()


def count(client: APIClient, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return int(response.json()["count"])


def test_new_check_results_show_at_once(
    alice: User, acme: Workspace, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for(alice)
    assert count(client, "/api/v1/check-results/") == 0
    assert count(client, "/api/v1/check-results/") == 0  # served cached
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    n = CheckResult.objects.filter(workspace=acme).count()
    assert n > 0
    assert count(client, "/api/v1/check-results/") == n


def test_new_evidence_shows_at_once_and_unaudited_writes_within_the_time_to_live(
    alice: User, acme: Workspace, api_client_for: Callable[..., APIClient], settings: Any
) -> None:
    client = api_client_for(alice)
    assert count(client, "/api/v1/evidence/") == 0
    do_record_evidence_batch(
        actor=alice, workspace=acme, source="import", batch_key="b1",
        items=[EvidenceInputFactory() for _ in range(2)],
    )  # fmt: skip
    assert count(client, "/api/v1/evidence/") == 2
    CheckResult.objects.create(
        workspace=acme,
        check_id="x",
        resource_key="r",
        status="pass",
        evaluator="t",
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    assert count(client, "/api/v1/check-results/") == 1  # first read: nothing cached yet
    CheckResult.objects.create(
        workspace=acme,
        check_id="y",
        resource_key="r",
        status="pass",
        evaluator="t",
        first_seen=timezone.now(),
        last_seen=timezone.now(),
    )
    assert count(client, "/api/v1/check-results/") == 1  # unaudited: cached until the TTL
    settings.DATA_CACHE_SECONDS = 0
    assert count(client, "/api/v1/check-results/") == 2


def test_callers_and_workspaces_never_share_pages(
    alice: User,
    bob: User,
    acme: Workspace,
    mallory: User,
    globex: Workspace,
    api_client_for: Callable[..., APIClient],
) -> None:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    n = CheckResult.objects.filter(workspace=acme).count()
    assert count(api_client_for(alice), "/api/v1/check-results/") == n
    assert count(api_client_for(mallory), "/api/v1/check-results/") == 0
    assert count(api_client_for(bob), "/api/v1/check-results/") == n  # a viewer of acme
    page = api_client_for(mallory).get("/api/v1/audit-entries/").json()
    assert all(e.get("workspace") in (None, "globex") for e in page["results"]), page
    # A token limited to another workspace gets its own, empty, answer.
    limited = api_client_for(alice, workspace=globex)
    assert limited.get("/api/v1/check-results/").status_code in (200, 403)


@pytest.mark.parametrize(
    "url", ["/api/v1/controls/", "/api/v1/evidence/", "/api/v1/check-results/", "/api/v1/runs/"]
)
def test_a_kept_list_is_sent_without_running_the_view(
    alice: User, acme: Workspace, api_client_for: Callable[..., APIClient], url: str
) -> None:
    """A hit costs the reads every API request makes: the token, its user, and the caller's
    memberships with the workspaces' data versions; the bytes are the first answer's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(alice)
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert len(captured.captured_queries) <= 3, [q["sql"] for q in captured.captured_queries]


def test_callers_who_may_read_the_same_workspaces_share_an_answer(
    alice: User,
    bob: User,
    mallory: User,
    acme: Workspace,
    api_client_for: Callable[..., APIClient],
) -> None:
    """A list shows rows, not who asks: the viewer's request is answered with the bytes kept
    for the owner, without running the view; another workspace's owner gets their own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    first = api_client_for(alice).get("/api/v1/check-results/")
    viewer = api_client_for(bob)
    with CaptureQueriesContext(connection) as captured:
        second = viewer.get("/api/v1/check-results/")
    assert second.content == first.content
    assert len(captured.captured_queries) <= 4, [q["sql"] for q in captured.captured_queries]
    assert count(api_client_for(mallory), "/api/v1/check-results/") == 0
