"""Imports end to end: files become evidence items and check results mapped to controls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from attestly.accounts.models import User
from attestly.checks.actions import do_import_findings
from attestly.checks.imports import ImportRejected
from attestly.checks.models import CheckResult, CheckRollup, CheckRun
from attestly.checks.queries import control_check_status, replay
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
PROWLER = (FIXTURES / "prowler-output.ocsf.json").read_bytes()


def test_prowler_ocsf_file_imports_into_evidence_and_results_mapped_to_soc2(
    acme: Workspace, alice: User
) -> None:
    summary = do_import_findings(
        actor=alice, workspace=acme, data=PROWLER, fmt="ocsf", filename="prowler-output.ocsf.json"
    )
    assert summary.created
    assert summary.findings == summary.evidence_items == 9
    assert summary.counts == {"pass": 4, "fail": 4, "not_applicable": 1}
    items = EvidenceItem.objects.filter(workspace=acme, source="import")
    assert set(items.values_list("kind", flat=True)) == {"import.ocsf.finding"}
    results = {(r.check_id, r.resource_key): r for r in CheckResult.objects.filter(workspace=acme)}
    exports = results[("prowler:s3_bucket_default_encryption", "arn:aws:s3:::acme-exports")]
    assert exports.status == "fail"
    assert exports.evaluator == "ocsf_finding_status"
    assert exports.evidence_hashes == [
        items.get(
            resource_key__startswith="arn:aws:s3:::acme-exports#prowler:s3_bucket_default"
        ).content_hash
    ]
    # mapped to library controls through the shipped table, and on to SOC 2 criteria
    controls = control_check_status(acme)
    assert (controls["CRY-02"].failing, controls["CRY-02"].passing) == (1, 1)
    assert controls["AST-04"].failing == 1
    assert controls["NET-03"].failing == 1
    assert controls["AC-12"].passing == 1
    criteria = set(
        CheckRollup.objects.filter(workspace=acme, level="criterion").values_list("key", flat=True)
    )
    assert {"CC6.1", "CC6.6", "CC7.2", "CC2.3"} <= criteria  # CC2.3 from the finding itself
    assert replay(exports).same


def test_importing_the_same_file_twice_adds_nothing(acme: Workspace, alice: User) -> None:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    again = do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    assert not again.created
    assert EvidenceItem.objects.filter(workspace=acme).count() == 9
    assert CheckRun.objects.filter(workspace=acme).count() == 1


def test_a_later_scan_closes_what_changed(acme: Workspace, alice: User) -> None:
    do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    findings = json.loads(PROWLER)
    # the exports bucket is deleted; everything else is fixed
    fixed = [
        f
        for f in findings
        if f["resources"][0]["name"] != "acme-exports"
        or f["metadata"]["event_code"] != "s3_bucket_default_encryption"
    ]
    for finding in fixed:
        finding["status_code"] = "PASS"
    do_import_findings(actor=alice, workspace=acme, data=json.dumps(fixed).encode(), fmt="ocsf")
    current = CheckResult.objects.filter(workspace=acme, is_current=True)
    assert set(current.values_list("status", flat=True)) == {"pass"}
    gone = CheckResult.objects.get(
        workspace=acme,
        resource_key="arn:aws:s3:::acme-exports",
        check_id="prowler:s3_bucket_default_encryption",
    )
    assert not gone.is_current
    fixed_db = CheckResult.objects.filter(workspace=acme, resource_key__contains="legacy-reporting")
    assert list(fixed_db.order_by("first_seen").values_list("status", "is_current")) == [
        ("fail", False),
        ("pass", True),
    ]


def test_sarif_and_csv_import(acme: Workspace, alice: User) -> None:
    sarif = do_import_findings(
        actor=alice, workspace=acme, data=(FIXTURES / "checkov.sarif").read_bytes(), fmt="sarif"
    )
    assert sarif.counts == {"fail": 2, "pass": 1}
    assert "checkov:CKV_AWS_19" in sarif.check_ids
    rows = do_import_findings(
        actor=alice, workspace=acme, data=(FIXTURES / "results.csv").read_bytes(), fmt="csv"
    )
    assert rows.counts == {"pass": 1, "fail": 1, "error": 1}
    assert set(rows.check_ids) == {"hostscan:ssh_root_login_disabled", "csv:disk_encrypted"}
    result = CheckResult.objects.get(workspace=acme, resource_key="host:web-2")
    assert replay(result).same


def nested(depth: int) -> bytes:
    return b'[{"status_code": "FAIL", "x": ' + b"[" * depth + b"]" * depth + b"}]"


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (PROWLER[: len(PROWLER) // 2], "ocsf", "looks truncated"),
        (b"{not json", "ocsf", "not valid JSON"),
        (b'[{"status_code": "PASS"}]', "ocsf", "metadata must be an object"),
        (b"[1, 2]", "ocsf", "expected a JSON object"),
        (nested(10_000), "ocsf", "nested"),
        (nested(100), "ocsf", "nested deeper than 64"),
        (b'[{"caf\xe9": 1}]', "ocsf", "not UTF-8 text"),
        (b"", "ocsf", "empty"),
        (b'{"version": "2.0.0", "runs": []}', "sarif", "version"),
        (b'{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}', "sarif", "driver.name"),
        (b"check_id,resource\nx,y\n", "csv", "missing ['status']"),
        (b"check_id,resource,status,colour\n", "csv", "unknown ['colour']"),
        (b"check_id,resource,status\nx,y,maybe\n", "csv", "line 2: status 'maybe'"),
        (b"check_id,resource,status\nx,y,pass,extra\n", "csv", "line 2: 4 fields"),
        (b"check_id,resource,status\n", "csv", "no findings"),
        (b"check_id,resource,status\na,b,pass\na,b,fail\n", "csv", "judge a resource once"),
        (b"[]", "yaml", "unknown format"),
    ],
)
def test_bad_input_is_refused_with_nothing_stored(
    acme: Workspace, alice: User, data: bytes, fmt: str, message: str
) -> None:
    with pytest.raises(ImportRejected, match=re.escape(message)):
        do_import_findings(actor=alice, workspace=acme, data=data, fmt=fmt)
    assert not EvidenceItem.objects.filter(workspace=acme).exists()
    assert not CheckResult.objects.filter(workspace=acme).exists()


def test_huge_file_is_refused_before_parsing(
    acme: Workspace, alice: User, settings: object
) -> None:
    from django.conf import settings as django_settings

    limited = django_settings.OPTIONS.model_copy(update={"import_max_bytes": 2048})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(django_settings, "OPTIONS", limited)
        with pytest.raises(ImportRejected, match="the limit is 2,048"):
            do_import_findings(actor=alice, workspace=acme, data=PROWLER, fmt="ocsf")
    assert not EvidenceItem.objects.filter(workspace=acme).exists()
