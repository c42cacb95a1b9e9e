from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from attestly.cli.main import app
from attestly.core.models import Workspace
from attestly.readiness.models import ReadinessSnapshot
from attestly.testing.factories import (
    ControlFactory,
    ControlMappingFactory,
    FrameworkAdoptionFactory,
    criterion,
)

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def ready_acme(acme: Workspace) -> Workspace:
    FrameworkAdoptionFactory(workspace=acme)
    ControlMappingFactory(
        control=ControlFactory(workspace=acme, status="implemented"),
        criterion=criterion("soc2:CC6.1"),
    )
    return acme


def test_readiness_json(ready_acme: Workspace) -> None:
    result = runner.invoke(
        app, ["readiness", "--workspace", "acme", "--framework", "soc2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    [payload] = json.loads(result.stdout)
    rows = {r["ref"]: r for r in payload["criteria"]}
    assert rows["CC6.1"]["status"] == "met"
    assert payload["counts"]["met"] == 1
    assert payload["score"] == round(100 / 33, 1)


def test_readiness_table_lists_criteria_when_a_framework_is_named(ready_acme: Workspace) -> None:
    result = runner.invoke(
        app, ["readiness", "-w", "acme", "--framework", "soc2"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "3.0%" in result.stdout
    assert "CC6.1" in result.stdout
    assert "1/1 implemented" in result.stdout


def test_readiness_records_only_when_asked(ready_acme: Workspace) -> None:
    runner.invoke(app, ["readiness", "-w", "acme"])
    assert ReadinessSnapshot.objects.count() == 0
    result = runner.invoke(app, ["readiness", "-w", "acme", "--record"])
    assert result.exit_code == 0
    assert ReadinessSnapshot.objects.get(workspace=ready_acme).score == 3.0


def test_readiness_without_adoption_fails(acme: Workspace) -> None:
    result = runner.invoke(app, ["readiness", "-w", "acme"])
    assert result.exit_code == 1
    assert "scope set" in result.stderr
