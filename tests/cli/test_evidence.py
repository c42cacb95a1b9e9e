from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from typer.testing import CliRunner

from attestly.cli.evidence import app
from attestly.cli.setup_commands import ensure_evidence_key
from attestly.core.models import Workspace
from attestly.evidence.models import EvidenceItem, EvidenceSigningKey
from attestly.evidence.verify import verify_workspace
from attestly.testing.factories import record_evidence

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    settings.OPTIONS = settings.OPTIONS.model_copy(update={"data_dir": path})
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_upload_list_show(acme: Workspace, tmp_path: Path) -> None:
    report = tmp_path / "access review.pdf"
    report.write_bytes(b"%PDF-1.7 reviewed")
    code, out = invoke(
        "upload",
        str(report),
        "--workspace",
        "acme",
        "--effective",
        "2026-01-31",
        "--effective-to",
        "2026-03-31",
        "--control",
        "AC-01",
        "--control",
        "AC-02",
    )
    assert code == 0, out
    item = EvidenceItem.objects.in_workspace(acme).get()
    assert (item.filename, item.control_refs) == ("access review.pdf", ["AC-01", "AC-02"])
    code, out = invoke("list", "--workspace", "acme", "--format", "json")
    assert [row["id"] for row in json.loads(out)] == [item.pk]
    code, out = invoke("show", str(item.pk), "--format", "json")
    assert json.loads(out)["effective_to"] == "2026-03-31"


def test_upload_refusal_is_a_clear_error(acme: Workspace, tmp_path: Path) -> None:
    tool = tmp_path / "tool.pdf"
    tool.write_bytes(b"\x7fELF" + b"\x00" * 40)
    code, out = invoke("upload", str(tool), "-w", "acme", "--effective", "2026-01-31")
    assert code == 2
    assert "upload refused: the file is an ELF executable" in out
    assert not EvidenceItem.objects.exists()


def test_verify_passes_then_names_each_break(acme: Workspace) -> None:
    record_evidence(acme, 3)
    code, out = invoke("verify", "--workspace", "acme")
    assert code == 0 and "evidence ledger verified" in out
    target = EvidenceItem.objects.in_workspace(acme).get(seq=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE evidence_evidenceitem SET size = 1 WHERE id = %s", [target.pk])
    code, out = invoke("verify", "--workspace", "acme")
    assert code == 1
    assert f"item #3 (id {target.pk}" in out
    assert "item changed: chain hash does not match the recorded fields" in out


def test_export_writes_a_package(acme: Workspace, tmp_path: Path) -> None:
    record_evidence(acme, 2)
    out_file = tmp_path / "pkg.zip"
    code, out = invoke("export", "--workspace", "acme", "-o", str(out_file))
    assert code == 0, out
    with zipfile.ZipFile(out_file) as archive:
        assert "verify.py" in archive.namelist()


def test_init_key_is_0600_and_rotation_keeps_old_checkpoints_valid(
    acme: Workspace, data_dir: Path
) -> None:
    assert ensure_evidence_key().startswith("created evidence signing key")
    assert ensure_evidence_key().startswith("kept existing evidence signing key")
    pems = list((data_dir / "keys").glob("*.pem"))
    assert [stat.S_IMODE(p.stat().st_mode) for p in pems] == [0o600]
    record_evidence(acme, 2)
    code, out = invoke("rotate-key")
    assert code == 0, out
    record_evidence(acme, 1)
    assert EvidenceSigningKey.objects.filter(retired_at__isnull=False).count() == 1
    assert len(list((data_dir / "keys").glob("*.pem"))) == 1  # the old private key is gone
    assert verify_workspace(acme).ok


def test_tombstone_removes_content_and_the_chain_still_verifies(
    acme: Workspace, alice: Any
) -> None:
    record_evidence(acme, 2)
    item = EvidenceItem.objects.in_workspace(acme).get(seq=1)
    code, out = invoke("tombstone", str(item.pk), "--reason", "GDPR erasure", "--as", "alice")
    assert code == 0, out
    item.refresh_from_db()
    assert (item.content, item.tombstone_reason, item.tombstoned_by) == (
        None,
        "GDPR erasure",
        alice,
    )
    assert invoke("verify", "--workspace", "acme")[0] == 0
    assert invoke("tombstone", str(item.pk), "--reason", "again", "--as", "alice")[0] == 2
