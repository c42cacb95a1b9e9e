"""`attestly catalog controls|mappings` read the YAML catalog: no database involved."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from typer.testing import CliRunner

from attestly.cli.main import app
from attestly.frameworks.catalog.loader import shipped_catalog

runner = CliRunner()


def _json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    loaded: list[dict[str, object]] = json.loads(result.stdout)
    return loaded


def test_catalog_controls_json_lists_at_least_120_covering_every_soc2_criterion() -> None:
    controls = _json("catalog", "controls")
    assert len(controls) >= 120
    covered = {ref for c in controls for ref in c["soc2"]}  # type: ignore[attr-defined]
    assert covered == {c.id for c in shipped_catalog().criteria("soc2")}
    assert all(c["soc2"] for c in controls)
    first = controls[0]
    assert set(first) >= {
        "id",
        "title",
        "description",
        "owner_role",
        "nature",
        "frequency",
        "evidence",
        "guidance",
        "maps",
    }


def test_catalog_controls_filters() -> None:
    iso = _json("catalog", "controls", "--framework", "gdpr")
    assert iso
    assert all(c["gdpr"] for c in iso)
    one = _json("catalog", "controls", "--criterion", "soc2:CC1.2")
    assert "GOV-01" in [c["id"] for c in one]


def test_catalog_mappings_shows_all_three_other_frameworks() -> None:
    rows = _json("catalog", "mappings")
    for framework in ("iso27001", "nist-csf", "gdpr"):
        assert sum(1 for r in rows if r[framework]) >= 20, framework
    table = runner.invoke(app, ["catalog", "mappings", "--control", "GOV-01"])
    assert table.exit_code == 0
    for heading in ("soc2", "iso27001", "nist-csf", "gdpr"):
        assert heading in table.stdout


def test_catalog_mappings_csv_has_one_column_per_framework() -> None:
    result = runner.invoke(app, ["catalog", "mappings", "--format", "csv"])
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert reader.fieldnames == ["control", "soc2", "iso27001", "nist-csf", "gdpr"]
    assert len(list(reader)) == len(shipped_catalog().controls)


def test_catalog_mappings_crosswalk_both_ways() -> None:
    there = _json("catalog", "mappings", "--criterion", "soc2:CC6.1")
    assert {r["framework"] for r in there} >= {"iso27001", "nist-csf"}
    iso = next(r for r in there if r["framework"] == "iso27001")
    back = _json("catalog", "mappings", "--criterion", f"iso27001:{iso['criterion']}")
    assert "CC6.1" in [r["criterion"] for r in back if r["framework"] == "soc2"]


def test_catalog_mappings_unknown_criterion_fails_plainly() -> None:
    result = runner.invoke(app, ["catalog", "mappings", "--criterion", "soc2:CC99.9"])
    assert result.exit_code == 2
    assert "unknown soc2 criterion 'CC99.9'" in result.stderr


def test_real_command_lists_controls_as_json(run_cli: Callable[..., Any]) -> None:
    result = run_cli("catalog", "controls", "--format", "json")
    assert result.returncode == 0, result.stderr
    controls = json.loads(result.stdout)
    assert len(controls) >= 120
    assert {ref for c in controls for ref in c["soc2"]} == {
        c.id for c in shipped_catalog().criteria("soc2")
    }
