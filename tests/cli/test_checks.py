from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from attestly.accounts.models import User
from attestly.checks.models import CheckException, CheckMapping, CheckResult
from attestly.cli.checks import app
from attestly.cli.evidence import app as evidence_app
from attestly.core.models import Workspace

pytestmark = pytest.mark.django_db
runner = CliRunner()
PROWLER = Path(__file__).parent.parent / "checks" / "fixtures" / "prowler-output.ocsf.json"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_list_and_show() -> None:
    code, out = invoke("list", "--format", "json")
    assert code == 0
    ids = {row["id"] for row in json.loads(out)}
    assert "evidence_upload_fresh" in ids
    code, out = invoke("show", "evidence_upload_fresh", "--format", "json")
    assert json.loads(out)["remediation"].startswith("Repeat the activity")
    assert invoke("show", "nope")[0] == 2


def test_import_then_results_replay_and_except(acme: Workspace, alice: User, bob: User) -> None:
    result = runner.invoke(
        evidence_app,
        ["import", str(PROWLER), "--format", "ocsf", "--workspace", "acme", "--as", "alice"],
    )
    assert result.exit_code == 0, result.output
    assert "9 findings" in result.output
    code, out = invoke("results", "--workspace", "acme", "--status", "fail", "--format", "json")
    failing = json.loads(out)
    assert len(failing) == 4
    first = failing[0]["id"]
    code, out = invoke("replay", str(first))
    assert (code, "same verdict" in out) == (0, True)
    expires = (timezone.now().date() + dt.timedelta(days=30)).isoformat()
    code, out = invoke(
        "except",
        str(first),
        "--reason",
        "Decommissioned next sprint",
        "--approver",
        "bob",
        "--expires",
        expires,
        "--as",
        "alice",
    )
    assert code == 0, out
    assert CheckException.objects.get().approver == bob
    code, out = invoke("results", "--workspace", "acme", "--status", "excepted", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == [first]


def test_bad_import_says_why_and_stores_nothing(acme: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "cut.json"
    bad.write_bytes(PROWLER.read_bytes()[:500])
    result = runner.invoke(
        evidence_app, ["import", str(bad), "--format", "ocsf", "--workspace", "acme"]
    )
    assert result.exit_code == 2
    assert "truncated" in result.output and "nothing was stored" in result.output
    assert not CheckResult.objects.exists()


def test_map_and_unmap(acme: Workspace, alice: User) -> None:
    code, out = invoke(
        "map", "prowler:custom_check", "--workspace", "acme", "--control", "CRY-01", "--as", "alice"
    )
    assert code == 0, out
    assert CheckMapping.objects.get().controls == ["CRY-01"]
    assert invoke("map", "prowler:custom_check", "--workspace", "acme", "--control", "XX-1")[0] == 2
    assert invoke("map", "prowler:custom_check", "--workspace", "acme", "--remove")[0] == 0
    assert not CheckMapping.objects.exists()


def test_run_reports_counts(acme: Workspace) -> None:
    code, out = invoke("run", "--workspace", "acme")
    assert code == 0
    assert "no evidence" in out


def test_error_messages_keep_brackets(acme: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("check_id,resource\nx,y\n")
    result = runner.invoke(
        evidence_app, ["import", str(bad), "--format", "csv", "--workspace", "acme"]
    )
    assert result.exit_code == 2
    assert "missing ['status']" in result.output
