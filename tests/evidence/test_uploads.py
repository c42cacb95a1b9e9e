from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attestly.core.models import Workspace
from attestly.evidence.actions import do_upload_evidence
from attestly.evidence.blobs import get_blob_store, iter_file
from attestly.evidence.models import EvidenceItem
from attestly.evidence.uploads import UploadRejected, clean_filename, sniff

pytestmark = pytest.mark.django_db


def _upload(
    workspace: Workspace, data: bytes, name: str = "evidence.bin", **kw: object
) -> EvidenceItem:
    return do_upload_evidence(
        actor=None,
        workspace=workspace,
        chunks=[data],
        filename=name,
        effective_from=dt.date(2026, 1, 31),
        **kw,
    )  # type: ignore[arg-type]


def _nothing_stored(workspace: Workspace, data_dir: Path) -> bool:
    blobs = [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
    return not EvidenceItem.objects.in_workspace(workspace).exists() and blobs == []


def test_upload_keeps_period_controls_clean_name_and_sniffed_type(acme: Workspace) -> None:
    item = _upload(
        acme,
        b"%PDF-1.7\n...",
        name="../../etc/Q1 review\x00.exe",
        effective_to=dt.date(2026, 3, 31),
        control_refs=["AC-01", " CHG-02 "],
    )
    assert item.filename == "Q1 review.exe"
    assert item.media_type == "application/pdf"
    assert (item.effective_from, item.effective_to) == (dt.date(2026, 1, 31), dt.date(2026, 3, 31))
    assert item.control_refs == ["AC-01", "CHG-02"]
    with get_blob_store().open(item.content_hash) as fh:
        assert b"".join(iter_file(fh)) == b"%PDF-1.7\n..."


def test_the_same_file_twice_is_stored_once(acme: Workspace, evidence_data_dir: Path) -> None:
    first, second = _upload(acme, b"same bytes"), _upload(acme, b"same bytes")
    assert first.content_hash == second.content_hash and first.seq != second.seq
    assert len([p for p in (evidence_data_dir / "blobs").rglob("*") if p.is_file()]) == 1


def test_a_file_over_the_limit_is_refused_and_nothing_stored(
    acme: Workspace, settings: object, evidence_data_dir: Path
) -> None:
    settings.OPTIONS = settings.OPTIONS.model_copy(update={"evidence_upload_max_bytes": 1000})  # type: ignore[attr-defined]
    chunks = (b"x" * 400 for _ in range(10))
    with pytest.raises(UploadRejected, match="larger than the limit of 1000 bytes"):
        do_upload_evidence(
            actor=None,
            workspace=acme,
            chunks=chunks,
            filename="big.txt",
            effective_from=dt.date(2026, 1, 1),
        )
    assert _nothing_stored(acme, evidence_data_dir)


@pytest.mark.parametrize(
    "head", [b"MZ\x90\x00", b"\x7fELF\x02\x01", b"#!/bin/sh\nrm -rf /", b"\xcf\xfa\xed\xfe\x07"]
)
def test_executables_are_refused(acme: Workspace, evidence_data_dir: Path, head: bytes) -> None:
    with pytest.raises(UploadRejected, match="executables are not accepted"):
        _upload(acme, head + b"\x00" * 64, name="report.pdf")
    assert _nothing_stored(acme, evidence_data_dir)


def test_a_zip_bomb_is_refused_and_nothing_stored(acme: Workspace, evidence_data_dir: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\x00" * (20 * 1024 * 1024))
    with pytest.raises(UploadRejected, match="zip bomb"):
        _upload(acme, buf.getvalue(), name="evidence.zip")
    assert _nothing_stored(acme, evidence_data_dir)


def test_a_truncated_zip_is_refused(acme: Workspace, evidence_data_dir: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("a.txt", b"hello" * 100)
    with pytest.raises(UploadRejected, match="damaged or truncated"):
        _upload(acme, buf.getvalue()[:60], name="evidence.zip")
    assert _nothing_stored(acme, evidence_data_dir)


def test_an_office_document_is_named_by_its_content(acme: Workspace) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    item = _upload(acme, buf.getvalue(), name="population.xlsx")
    assert item.media_type.endswith("spreadsheetml.sheet")


def test_a_period_that_ends_before_it_starts_is_refused(acme: Workspace) -> None:
    with pytest.raises(ValidationError):
        _upload(acme, b"text", effective_to=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b'{"a": 1}', "application/json"),
        (b"plain words", "text/plain"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\x00\x01\x02\x03", "application/octet-stream"),
    ],
)
def test_sniff_names_common_types(head: bytes, media_type: str) -> None:
    assert sniff(head) == media_type


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("..", "upload"),
        ("a/b/../c.txt", "c.txt"),
        ("<script>.html", "script_.html"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_clean_filename(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.django_db(transaction=True)
def test_upload_refuses_an_unknown_control_and_stores_nothing(acme: Workspace, alice: Any) -> None:
    from django.core.exceptions import ValidationError

    from attestly.evidence.actions import do_upload_evidence
    from attestly.evidence.models import EvidenceItem

    with pytest.raises(ValidationError, match="Unknown control AC-999"):
        do_upload_evidence(
            actor=alice,
            workspace=acme,
            chunks=[b"%PDF-1.7 x"],
            filename="x.pdf",
            effective_from=None,
            control_refs=["AC-01", "AC-999"],
        )
    assert not EvidenceItem.objects.filter(workspace=acme).exists()
    item = do_upload_evidence(
        actor=alice,
        workspace=acme,
        chunks=[b"%PDF-1.7 x"],
        filename="x.pdf",
        effective_from=None,
        control_refs=[" AC-01 "],
    )
    assert item.control_refs == ["AC-01"]
