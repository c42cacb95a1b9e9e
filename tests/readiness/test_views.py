from __future__ import annotations

import re

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.core.models import Workspace
from attestly.readiness.models import ReadinessSnapshot
from attestly.readiness.scoring import CriterionScore, CriterionStatus
from attestly.readiness.views import band, chart_points
from attestly.testing.factories import (
    ControlFactory,
    ControlMappingFactory,
    CriterionExclusionFactory,
    FrameworkAdoptionFactory,
    ReadinessSnapshotFactory,
    criterion,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_heat_map_has_a_cell_per_criterion_in_scope(acme: Workspace, alice: User) -> None:
    FrameworkAdoptionFactory(workspace=acme, categories=["availability"])
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="implemented"),
        criterion=criterion("soc2:A1.2"),
    )
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="in_progress"),
        criterion=criterion("soc2:A1.3"),
    )
    page = _client(alice).get("/readiness/")
    assert page.status_code == 200
    cells = re.findall(r'id="cell-([^"]+)" data-status="([a-z_]+)"', page.text)
    assert len(cells) == 36
    statuses = dict(cells)
    assert (statuses["A1.2"], statuses["A1.3"], statuses["CC1.1"]) == (
        "met",
        "partly_met",
        "not_met",
    )
    assert 'class="cell h4" id="cell-A1.2"' in page.text
    assert ReadinessSnapshot.objects.filter(workspace=acme).count() == 1


def test_page_scopes_to_the_current_workspace(
    acme: Workspace, globex: Workspace, alice: User, mallory: User
) -> None:
    FrameworkAdoptionFactory(workspace=acme, categories=["privacy"])
    page = _client(mallory).get("/readiness/")
    assert "adopted no framework" in page.text
    assert "cell-P1.1" not in page.text


def test_history_is_drawn_as_svg(acme: Workspace, alice: User) -> None:
    FrameworkAdoptionFactory(workspace=acme)
    for score in (5.0, 20.0):
        ReadinessSnapshotFactory(workspace=acme, score=score)
    page = _client(alice).get("/readiness/")
    assert "<polyline" in page.text


def test_chart_points_scale_to_the_box() -> None:
    assert chart_points([("d1", 0.0), ("d2", 100.0)]) == "0.0,80.0 320.0,0.0"
    assert chart_points([]) == ""


@pytest.mark.parametrize(
    ("score", "expected"),
    [(None, "na"), (0.0, "h0"), (0.06, "h1"), (0.5, "h2"), (0.8, "h3"), (1.0, "h4")],
)
def test_heat_bands(score: float | None, expected: str) -> None:
    assert band(CriterionScore("X", "security", CriterionStatus.PARTLY_MET, score)) == expected


def test_not_applicable_cell_says_why(acme: Workspace, alice: User) -> None:
    FrameworkAdoptionFactory(workspace=acme)
    CriterionExclusionFactory(
        workspace=acme, criterion=criterion("soc2:CC6.4"), reason="Fully remote company"
    )
    page = _client(alice).get("/readiness/").text
    assert 'class="cell na" id="cell-CC6.4"' in page
    assert "Fully remote company" in page
