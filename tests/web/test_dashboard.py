"""The dashboard: right numbers on a seeded workspace, each linking to the list behind it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.checks.queries import counts_by_check
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control
from attestly.core.models import Role, Workspace
from attestly.evidence.models import EvidenceItem
from attestly.frameworks.models import Framework
from attestly.integrations.models import Connection
from attestly.readiness.actions import do_adopt_framework
from attestly.testing.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    ReadinessSnapshotFactory,
    UserFactory,
    record_evidence,
)

# Evidence batches and findings imports commit for real.
pytestmark = pytest.mark.django_db(transaction=True)
PROWLER = (
    Path(__file__).parents[1] / "checks" / "fixtures" / "prowler-output.ocsf.json"
).read_bytes()


def seed(workspace: Workspace, actor: User, *, stale: int = 2, owned: int = 2) -> None:
    with transaction.atomic():
        soc2 = Framework.objects.get(slug="soc2")
        do_adopt_framework(actor=actor, workspace=workspace, framework=soc2, categories=[])
        for control in Control.objects.filter(workspace=workspace).order_by("ref")[:owned]:
            do_update_control(actor=actor, control=control, owner=actor)
    past = timezone.now() - dt.timedelta(days=3)
    future = timezone.now() + dt.timedelta(days=30)
    if stale:
        record_evidence(workspace, stale, valid_until=past)
    record_evidence(workspace, 3, valid_until=future)
    do_import_findings(actor=actor, workspace=workspace, data=PROWLER, fmt="ocsf")
    Connection.objects.create(workspace=workspace, name="aws-prod", integration="aws",
                              last_status="failed")  # fmt: skip
    Connection.objects.create(workspace=workspace, name="gh", integration="github",
                              last_status="succeeded")  # fmt: skip
    for day in range(3):
        ReadinessSnapshotFactory(
            workspace=workspace, date=dt.date(2026, 1, 1) + dt.timedelta(days=day), score=40 + day
        )


def figure(html: str, element_id: str) -> tuple[str, int]:
    """The link and number of a dashboard figure."""
    pattern = rf'<a id="{element_id}" href="([^"]+)" aria-label="(\d+) [^"]+">(\d+)</a>'
    match = re.search(pattern, html)
    assert match, element_id
    assert match.group(2) == match.group(3)  # what a screen reader says is the number shown
    return match.group(1).replace("&amp;", "&"), int(match.group(2))


def listed(client: Client, url: str) -> int:
    """How many rows the list page at `url` shows (all pages: lists say their total)."""
    html = client.get(url).content.decode()
    path = url.split("?")[0]
    if path == "/controls/":
        total = re.search(r"(\d+) controls</p>", html)
        assert total, url
        return int(total.group(1))
    if path == "/evidence/":
        return len(set(re.findall(r'href="/evidence/(\d+)/"', html)))
    if path == "/checks/":
        return html.count('class="check-row"')
    if path == "/integrations/":
        return html.count('class="connection-row"')
    raise AssertionError(f"no row counter for {url}")


def api_count(alice: User, url: str, api_client_for: Any) -> int:
    response = api_client_for(alice).get(url)
    assert response.status_code == 200, response.content
    return int(response.json()["count"])


def test_every_number_links_to_a_list_of_exactly_those_rows(
    alice: User, acme: Workspace, api_client_for: Any
) -> None:
    seed(acme, alice)
    Connection.objects.create(workspace=acme, name="db", integration="postgresql",
                              last_status="partial")  # fmt: skip
    client = Client()
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()

    live = Control.objects.filter(workspace=acme, retired_at__isnull=True)
    link, n = figure(html, "unowned-controls")
    assert link == "/controls/?owner=-"
    assert n == live.filter(owner__isnull=True).count() == live.count() - 2
    assert listed(client, link) == n
    assert api_count(alice, "/api/v1/controls/?owner=-", api_client_for) == n

    link, n = figure(html, "stale-evidence")
    assert (link, n) == ("/evidence/?stale=1", 2)
    assert listed(client, link) == n
    everything = EvidenceItem.objects.filter(workspace=acme).count()
    assert listed(client, "/evidence/") == everything > n  # the fresh ones are left out above
    assert api_count(alice, "/api/v1/evidence/?stale=true", api_client_for) == n
    assert api_count(alice, "/api/v1/evidence/?stale=false", api_client_for) == everything - n

    failing = {k: c for k, c in counts_by_check(acme).items() if c.failing}
    link, n = figure(html, "failing-checks")
    assert (link, n) == ("/checks/?status=failing", len(failing)) and n > 0
    assert listed(client, link) == n < listed(client, "/checks/")
    top = max(failing, key=lambda k: (failing[k].failing, k))
    assert f'href="/checks/{top}/"' in html
    resources = sum(c.failing for c in failing.values())
    assert f"{resources} failing resources" in html
    assert api_count(alice, "/api/v1/check-results/?current=true&status=fail", api_client_for) == (
        resources
    )

    link, n = figure(html, "failing-controls")
    assert link == "/controls/?checks=failing"
    assert n > 0
    assert 'href="/controls/CRY-01/"' in client.get(link).content.decode()
    assert listed(client, link) == n
    assert api_count(alice, "/api/v1/controls/?checks=failing", api_client_for) == n

    link, n = figure(html, "connections-in-error")
    assert (link, n) == ("/integrations/?state=error", 2)
    assert listed(client, link) == n < listed(client, "/integrations/")
    assert api_count(alice, "/api/v1/connections/?state=error", api_client_for) == n
    error = Connection.objects.get(workspace=acme, name="aws-prod")
    assert f'href="/integrations/connections/{error.pk}/"' in html
    assert "gh</a>" not in html

    assert 'href="/readiness/?framework=soc2"' in html
    assert 'id="readiness-chart"' in html and "<polyline" in html
    category = "/controls/?framework=soc2&category=security"
    assert category.replace("&", "&amp;") in html
    in_category = live.filter(mappings__criterion__category__slug="security").distinct().count()
    assert listed(client, category) == in_category > 0
    assert 'id="cell-CC6.1"' in html  # the heat map
    assert 'href="/controls/?criterion=soc2%3ACC6.1"' in html


def test_list_filters_narrow_through_htmx_and_refuse_unknown_values(
    alice: User, acme: Workspace, api_client_for: Any
) -> None:
    seed(acme, alice)
    client = Client()
    client.force_login(alice)
    fragment = client.get("/integrations/?state=error", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count('class="connection-row"') == 1 and "<html" not in fragment
    fragment = client.get("/checks/?status=failing", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="check-table"' in fragment and "<html" not in fragment
    api = api_client_for(alice)
    assert api.get("/api/v1/connections/?state=broken").status_code == 400
    assert api.get("/api/v1/controls/?checks=passing").status_code == 400
    assert api.get("/api/v1/connections/?state=ok").json()["count"] == 1


def test_another_workspaces_data_never_shows(
    alice: User, acme: Workspace, mallory: User, globex: Workspace
) -> None:
    seed(globex, mallory, stale=4, owned=0)
    client = Client()
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert figure(html, "stale-evidence")[1] == 0
    assert figure(html, "failing-checks")[1] == 0
    assert figure(html, "failing-controls")[1] == 0
    assert figure(html, "connections-in-error")[1] == 0
    assert "aws-prod" not in html
    assert "has adopted no framework yet" in html


def test_a_viewer_sees_it_and_an_employee_goes_to_their_account(
    alice: User, bob: User, acme: Workspace
) -> None:
    seed(acme, alice)
    viewer = Client()
    viewer.force_login(bob)
    html = viewer.get("/").content.decode()
    assert figure(html, "stale-evidence")[1] == 2
    assert '<a href="/" aria-current="page">Dashboard</a>' in html
    assert viewer.get("/dashboard/").status_code == 200
    employee = UserFactory(username="erin")
    MembershipFactory(workspace=acme, user=employee, role=Role.EMPLOYEE)
    client = Client()
    client.force_login(employee)
    assert client.get("/")["Location"] == "/account/mfa/"
    assert client.get("/dashboard/").status_code == 403


def test_someone_without_a_workspace_gets_an_empty_state() -> None:
    loner = UserFactory(username="loner")
    client = Client()
    client.force_login(loner)
    response = client.get("/")
    assert response.status_code == 200
    assert "not a member of any workspace" in response.content.decode()


def test_queries_do_not_grow_with_the_data(
    alice: User, acme: Workspace, django_assert_max_num_queries: Any
) -> None:
    seed(acme, alice, stale=1)
    client = Client()
    client.force_login(alice)
    client.get("/")
    with django_assert_max_num_queries(40) as small:
        client.get("/")
    record_evidence(acme, 40, valid_until=timezone.now() - dt.timedelta(days=1))
    for control in Control.objects.filter(workspace=acme, owner__isnull=True)[:10]:
        do_update_control(actor=alice, control=control, owner=alice)
    for i in range(10):
        Connection.objects.create(workspace=acme, name=f"c{i}", integration="aws",
                                  last_status="partial")  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get("/").content.decode()
    assert figure(html, "stale-evidence")[1] == 41


@pytest.mark.browser
def test_owner_reaches_the_failing_controls_from_the_dashboard(
    page: Any, live_server: Any, alice: User, acme: Workspace
) -> None:
    seed(acme, alice)
    failing = Control.objects.filter(workspace=acme, ref="CRY-01").get()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    count = page.locator("#failing-controls")
    expect(count).to_be_visible()
    expect(count).not_to_have_text("0")
    count.click()  # one click from the dashboard
    page.wait_for_url(f"{base}/controls/?checks=failing")
    expect(page.get_by_role("link", name=failing.ref, exact=True)).to_be_visible()
