"""Every list endpoint issues a bounded number of queries, whatever the page size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import User
from attestly.api.urls import router
from attestly.checks.actions import do_grant_exception, do_run_checks, do_set_check_mapping
from attestly.checks.registry import CheckRegistry
from attestly.checks.sources import MemorySource
from attestly.core.models import Role, Workspace
from attestly.evidence.actions import do_record_evidence_batch
from attestly.frameworks.models import Framework
from attestly.integrations.actions import do_start_collection_run
from attestly.readiness.actions import do_adopt_framework
from attestly.testing.factories import (
    CriterionExclusionFactory,
    EvidenceFactory,
    EvidenceInputFactory,
    FrameworkAdoptionFactory,
    MembershipFactory,
    ReadinessSnapshotFactory,
    WorkspaceFactory,
    make_check,
    make_connection,
)

pytestmark = pytest.mark.django_db

ROWS = 8  # more than the small page
# Not paginated, so page size cannot change their query count: the crosswalk answers one
# criterion's equivalents, and readiness computes one score per adopted framework.
UNPAGINATED = {"crosswalk", "readiness"}
# Lists that cannot hold more than a small page here, so the comparison proves less:
# four shipped frameworks, and the check and integration registries (in memory, not paged).
# SSO configs are not seeded (one per workspace, behind the OIDC setup).
FEW_ROWS = {"frameworks", "checks", "integrations", "sso-configs"}
LIST_PREFIXES = [
    prefix
    for prefix, viewset, _basename in router.registry
    if hasattr(viewset, "list") and prefix not in UNPAGINATED
]


@pytest.fixture
def owner_client(
    alice: User, bob: User, acme: Workspace, api_client_for: Callable[..., APIClient]
) -> APIClient:
    """Alice's workspaces, each with enough rows that a page of 5 and one of 100 differ."""
    with transaction.atomic():
        do_adopt_framework(
            actor=alice, workspace=acme, framework=Framework.objects.get(slug="soc2")
        )
    for n in range(ROWS):
        workspace = WorkspaceFactory()
        MembershipFactory(workspace=workspace, user=alice, role=Role.OWNER)
        FrameworkAdoptionFactory(workspace=workspace)
        CriterionExclusionFactory(workspace=workspace)
        ReadinessSnapshotFactory(workspace=acme)
        do_record_evidence_batch(
            actor=alice,
            workspace=acme,
            source="import",
            batch_key=f"batch-{n}",
            items=[EvidenceInputFactory() for _ in range(2)],
        )
        connection = make_connection(
            acme, "tls", name=f"web-{n}", config={"endpoints": [f"host{n}.invalid:443"]}
        )
        do_start_collection_run(actor=None, connection=connection)
        do_set_check_mapping(
            actor=alice, workspace=acme, check_id=f"prowler:custom_{n}", controls=["CRY-01"]
        )
    registry = CheckRegistry()
    registry.register(make_check("demo_a"))  # passes when data.ok; these all fail
    registry.freeze()
    items = [EvidenceFactory(key=f"r{n}", data={"ok": False}) for n in range(ROWS)]
    do_run_checks(actor=alice, workspace=acme, source=MemorySource(items), registry=registry)
    for n in range(ROWS):
        do_grant_exception(
            actor=alice,
            workspace=acme,
            check_id="demo_a",
            resource_key=f"r{n}",
            reason="Retired next quarter.",
            approver=bob,
            expires_on=timezone.now().date() + dt.timedelta(days=30),
        )
    return api_client_for(alice)


def _queries(client: APIClient, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    rows = len(body["results"]) if isinstance(body, dict) and "results" in body else len(body)
    return len(ctx.captured_queries), rows


@pytest.mark.parametrize("prefix", LIST_PREFIXES)
def test_list_query_count_does_not_grow_with_page_size(
    owner_client: APIClient, prefix: str
) -> None:
    url = f"/api/v1/{prefix}/"
    owner_client.get(url)  # warm up: first reads may record (e.g. the day's readiness)
    small, small_rows = _queries(owner_client, f"{url}?page_size=5")
    big, big_rows = _queries(owner_client, f"{url}?page_size=100")
    print(f"{prefix}: {small_rows} rows {small} queries; {big_rows} rows {big} queries")  # noqa: T201
    if prefix not in FEW_ROWS:
        assert big_rows > small_rows, f"{prefix}: seed more than {small_rows} rows"
    assert big <= small, f"{prefix}: {small} queries for {small_rows} rows, {big} for {big_rows}"
