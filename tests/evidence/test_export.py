from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from attestly.core.models import Workspace
from attestly.evidence import standalone_verify
from attestly.evidence.actions import do_rotate_signing_key, do_upload_evidence
from attestly.evidence.export import write_package
from attestly.testing.factories import record_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(acme: Workspace, tmp_path: Path) -> Path:
    record_evidence(acme, 3, content={"encrypted": True, "name": "ünïcode\u2028bucket"})
    do_rotate_signing_key(actor=None)
    do_upload_evidence(
        actor=None,
        workspace=acme,
        chunks=[b"%PDF-1.7 policy"],
        filename="policy.pdf",
        effective_from=dt.date(2026, 1, 1),
        effective_to=dt.date(2026, 3, 31),
        control_refs=["AC-01"],
    )
    out = tmp_path / "pkg.zip"
    write_package(acme, out)
    return out


def _flip_one_blob_byte(package: Path, out: Path) -> None:
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        flipped = False
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("blobs/") and not flipped:
                data = bytes([data[0] ^ 1]) + data[1:]
                flipped = True
            dst.writestr(info, data)


def test_package_holds_items_blobs_manifest_checkpoints_keys_and_verifier(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        keys = json.loads(archive.read("keys.json"))
    assert {"items.jsonl", "checkpoints.json", "keys.json", "verify.py", "manifest.json"} <= names
    assert len([n for n in names if n.startswith("blobs/")]) == 1  # the uploaded file
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert len(keys) == 2  # the rotated-out key still verifies the first checkpoint


def test_standalone_verifier_passes_then_fails_after_one_blob_byte_changes(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert standalone_verify.main(["verify.py", str(package)]) == 0
    tampered = tmp_path / "tampered.zip"
    _flip_one_blob_byte(package, tampered)
    assert standalone_verify.main(["verify.py", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "changed (SHA-256" in out
    assert "does not match content_hash" in out


@pytest.mark.slow
def test_verifier_runs_in_a_fresh_virtualenv_with_only_cryptography(
    package: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "cryptography"], check=True, timeout=300)
    workdir = tmp_path / "auditor"
    workdir.mkdir()
    shutil.copy(package, workdir / "pkg.zip")
    with zipfile.ZipFile(package) as archive:
        (workdir / "verify.py").write_bytes(archive.read("verify.py"))
    python = str(venv / "bin" / "python")
    ok = subprocess.run(
        [python, "verify.py", "pkg.zip"], cwd=workdir, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: the package verifies" in ok.stdout
    _flip_one_blob_byte(package, workdir / "tampered.zip")
    bad = subprocess.run(
        [python, "verify.py", "tampered.zip"], cwd=workdir, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "BREAK: blobs/" in bad.stdout


def test_standalone_verifier_finds_changed_inline_content(
    package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "items.jsonl":
                data = data.replace(b'\\"encrypted\\":true', b'\\"encrypted\\":false', 1)
            dst.writestr(info, data)
    assert standalone_verify.main(["verify.py", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "item #1 (aws.s3.bucket" in out
    assert "content does not match content_hash" in out
