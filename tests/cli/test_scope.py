from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from attestly.cli.main import app
from attestly.controls.models import Control
from attestly.core.models import Workspace
from attestly.readiness.models import CriterionExclusion, FrameworkAdoption

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_scope_set_adopts_and_show_lists(acme: Workspace) -> None:
    result = runner.invoke(
        app,
        [
            "scope",
            "set",
            "--workspace",
            "acme",
            "--framework",
            "soc2",
            "--categories",
            "security,availability",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "soc2 in scope: security, availability" in result.stdout
    adoption = FrameworkAdoption.objects.get(workspace=acme)
    assert sorted(adoption.categories.values_list("slug", flat=True)) == [
        "availability",
        "security",
    ]
    created = Control.objects.filter(workspace=acme).count()
    assert f"{created} controls created" in result.stdout
    shown = runner.invoke(app, ["scope", "show", "-w", "acme", "--format", "json"])
    assert json.loads(shown.stdout)[0]["categories"] == ["security", "availability"]


def test_scope_set_iso_after_soc2_reuses_controls(acme: Workspace) -> None:
    runner.invoke(
        app,
        [
            "scope",
            "set",
            "-w",
            "acme",
            "--framework",
            "soc2",
            "--categories",
            "security,availability,confidentiality,processing_integrity,privacy",
        ],
    )
    count = Control.objects.filter(workspace=acme).count()
    result = runner.invoke(app, ["scope", "set", "-w", "acme", "--framework", "iso27001"])
    assert result.exit_code == 0, result.output
    assert "0 controls created" in result.stdout
    assert Control.objects.filter(workspace=acme).count() == count


def test_scope_errors_are_plain(acme: Workspace) -> None:
    unknown_ws = runner.invoke(app, ["scope", "show", "-w", "nope"])
    assert unknown_ws.exit_code == 2
    assert "no workspace 'nope'" in unknown_ws.stderr
    bad_cat = runner.invoke(
        app, ["scope", "set", "-w", "acme", "--framework", "soc2", "--categories", "speed"]
    )
    assert bad_cat.exit_code == 2
    assert "Unknown soc2 categories: speed" in bad_cat.stderr
    none_yet = runner.invoke(app, ["scope", "show", "-w", "acme"])
    assert none_yet.exit_code == 1


def test_scope_exclude_needs_reason_then_include(acme: Workspace) -> None:
    runner.invoke(app, ["scope", "set", "-w", "acme", "--framework", "soc2"])
    blank = runner.invoke(
        app, ["scope", "exclude", "-w", "acme", "--criterion", "CC6.4", "--reason", " "]
    )
    assert blank.exit_code == 2
    assert CriterionExclusion.objects.count() == 0
    ok = runner.invoke(
        app,
        [
            "scope",
            "exclude",
            "-w",
            "acme",
            "--criterion",
            "soc2:CC6.4",
            "--reason",
            "Remote company",
        ],
    )
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(app, ["scope", "show", "-w", "acme", "--format", "json"])
    assert json.loads(shown.stdout)[0]["not_applicable"] == ["CC6.4: Remote company"]
    back = runner.invoke(app, ["scope", "include", "-w", "acme", "--criterion", "CC6.4"])
    assert back.exit_code == 0
    assert CriterionExclusion.objects.count() == 0
