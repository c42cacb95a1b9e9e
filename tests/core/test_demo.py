"""Acceptance: in the demo workspace, marking controls implemented raises the readiness of
exactly the criteria they map to, in the API, the CLI and the UI."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient
from typer.testing import CliRunner

from attestly.accounts.models import User
from attestly.cli.main import app
from attestly.controls.models import Control, ControlMapping
from attestly.core.demo import DemoLogin, do_seed_demo
from attestly.core.models import AuditEntry
from attestly.readiness.models import FrameworkAdoption
from attestly.readiness.queries import compute_readiness
from attestly.readiness.scoring import ControlState

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> DemoLogin:
    return do_seed_demo()


def _api(login: DemoLogin) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.token}")
    return client


def _api_scores(client: APIClient) -> dict[str, float | None]:
    body = client.get("/api/v1/readiness/", {"workspace": "demo", "framework": "soc2"}).json()
    return {r["ref"]: r["score"] for r in body["results"][0]["criteria"]}


def _cli_scores() -> dict[str, float | None]:
    result = CliRunner().invoke(
        app, ["readiness", "-w", "demo", "--framework", "soc2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return {r["ref"]: r["score"] for r in json.loads(result.stdout)[0]["criteria"]}


def _ui_scores(client: Client) -> dict[str, str]:
    page = client.get("/readiness/", {"framework": "soc2"}).text
    return dict(re.findall(r'id="cell-([^"]+)" data-status="[a-z_]+" data-score="([0-9]*)"', page))


def _targets(count: int) -> tuple[list[Control], set[str]]:
    """Not-started demo controls and the in-scope SOC 2 criteria they map to."""
    in_scope = set(
        FrameworkAdoption.objects.get(workspace__slug="demo").categories.values_list(
            "slug", flat=True
        )
    )
    controls = list(
        Control.objects.filter(
            workspace__slug="demo",
            status="not_started",
            mappings__criterion__framework__slug="soc2",
        )
        .distinct()
        .order_by("ref")[:count]
    )
    refs = set(
        ControlMapping.objects.filter(
            control__in=controls,
            criterion__framework__slug="soc2",
            criterion__category__slug__in=in_scope,
        ).values_list("criterion__ref", flat=True)
    )
    # A criterion held down by a failing automated check stays not met whatever else is done.
    adoption = FrameworkAdoption.objects.get(workspace__slug="demo")
    held_down = {
        s.key
        for s in compute_readiness(adoption).score.criteria
        if ControlState.FAILING in s.controls.values()
    }
    return controls, refs - held_down


def _raised(before: dict[str, object], after: dict[str, object]) -> set[str]:
    assert set(before) == set(after)
    return {k for k in after if float(after[k] or 0) > float(before[k] or 0)}  # type: ignore[arg-type]


def test_demo_has_soc2_with_owned_controls_in_every_state(demo: DemoLogin) -> None:
    controls = Control.objects.filter(workspace=demo.workspace)
    assert controls.count() > 150
    statuses = set(controls.values_list("status", flat=True))
    assert statuses == {"implemented", "in_progress", "not_started", "not_applicable"}
    assert controls.filter(owner__isnull=False).count() > 50
    assert set(controls.exclude(owner=None).values_list("owner__username", flat=True)) == {
        "demo",
        "dana",
        "sam",
    }


def test_demo_readiness_is_non_trivial(demo: DemoLogin) -> None:
    scores = _api_scores(_api(demo))
    assert len(scores) == 38  # security 33 + availability 3 + confidentiality 2
    assert 10 < sum(v or 0 for v in scores.values()) / len(scores) < 90


def test_reseeding_keeps_what_visitors_changed(demo: DemoLogin) -> None:
    before = dict(Control.objects.filter(workspace=demo.workspace).values_list("ref", "status"))
    entries = AuditEntry.objects.filter(workspace=demo.workspace, action="control.update").count()
    do_seed_demo()
    after = dict(Control.objects.filter(workspace=demo.workspace).values_list("ref", "status"))
    assert before == after
    assert (
        AuditEntry.objects.filter(workspace=demo.workspace, action="control.update").count()
        == entries
    )


def test_marking_controls_implemented_raises_exactly_their_criteria_in_api_cli_and_ui(
    demo: DemoLogin,
) -> None:
    api = _api(demo)
    web = Client()
    web.force_login(User.objects.get(username="demo"))
    controls, expected = _targets(2)
    assert expected
    before = (_api_scores(api), _cli_scores(), _ui_scores(web))
    for control in controls:
        response = api.patch(
            f"/api/v1/controls/{control.pk}/", {"status": "implemented"}, format="json"
        )
        assert response.status_code == 200, response.json()
    after = (_api_scores(api), _cli_scores(), _ui_scores(web))
    assert _raised(before[0], after[0]) == expected
    assert _raised(before[1], after[1]) == expected
    assert _raised(before[2], after[2]) == expected


def test_marking_a_control_implemented_on_its_page_updates_the_heat_map(demo: DemoLogin) -> None:
    web = Client()
    web.force_login(User.objects.get(username="demo"))
    [control], expected = _targets(1)
    before = _ui_scores(web)
    response = web.post(
        f"/controls/{control.ref}/edit/",
        {"status": "implemented", "owner": "dana"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert _raised(before, _ui_scores(web)) == expected
