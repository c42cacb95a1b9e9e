"""The evidence package: a zip an auditor verifies on their own machine.

manifest.json     format, workspace, time, and SHA-256 + size of every other file
items.jsonl       one item per line in chain order: header fields, hashes, tombstone
blobs/<sha256>    each distinct content once (canonical JSON or the uploaded file)
checkpoints.json  signed checkpoints over the chain head
keys.json         public Ed25519 keys by key id (retired ones included)
verify.py         the standalone verifier (Python + cryptography)
README.txt        how to verify
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from attestly.core.models import Workspace
from attestly.evidence.blobs import get_blob_store, iter_file
from attestly.evidence.hashing import iso_date, iso_datetime
from attestly.evidence.models import (
    EvidenceCheckpoint,
    EvidenceItem,
    EvidenceSigningKey,
    Storage,
)

FORMAT = "attestly-evidence-package"
README = """Attestly evidence package for workspace {workspace}, exported {at}.

To verify it without Attestly (Python 3.9+):
    python -m venv venv && venv/bin/pip install cryptography
    venv/bin/python verify.py {name}

verify.py checks every file against manifest.json, recomputes the items' hash chain,
re-hashes every blob against its item's content_hash, and checks each checkpoint's Ed25519
signature with keys.json. Compare the key ids in keys.json with the ones the organisation
publishes to be sure the package was signed by its installation.
"""


@dataclass(frozen=True)
class ExportSummary:
    items: int
    blobs: int
    checkpoints: int


class _HashingWriter:
    """Write zip members while recording their SHA-256 and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files: dict[str, dict[str, Any]] = {}

    def write_chunks(self, name: str, chunks: Any) -> None:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(name, "w", force_zip64=True) as fh:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
        self.files[name] = {"sha256": digest.hexdigest(), "size": size}

    def write_bytes(self, name: str, data: bytes) -> None:
        self.write_chunks(name, [data])


def item_record(item: EvidenceItem) -> dict[str, Any]:
    """An item as a line of items.jsonl: everything the verifier rehashes, and its story."""
    return {
        "seq": item.seq, "prev_hash": item.prev_hash, "chain_hash": item.chain_hash,
        "content_hash": item.content_hash, "size": item.size, "media_type": item.media_type,
        "source": item.source, "source_ref": item.source_ref, "kind": item.kind,
        "resource_key": item.resource_key, "collected_at": iso_datetime(item.collected_at),
        "effective_from": iso_date(item.effective_from),
        "effective_to": iso_date(item.effective_to),
        "valid_until": iso_datetime(item.valid_until), "filename": item.filename,
        "control_refs": list(item.control_refs or []),
        "tombstone": None if item.tombstoned_at is None else {
            "at": iso_datetime(item.tombstoned_at), "reason": item.tombstone_reason,
            "by": item.tombstoned_by.get_username() if item.tombstoned_by else None,
        },
        # Structured content travels inline as its canonical JSON text (UTF-8 round-trips
        # exactly), so a million-item ledger is one file, not a million zip members.
        "content": (
            bytes(item.content).decode("utf-8")
            if item.storage == Storage.DB and item.content is not None else None
        ),
    }  # fmt: skip


def _items_lines(workspace: Workspace) -> Iterator[bytes]:
    qs = EvidenceItem.objects.filter(workspace=workspace).select_related("tombstoned_by")
    for item in qs.order_by("seq").iterator(chunk_size=2000):
        yield (json.dumps(item_record(item), ensure_ascii=False) + "\n").encode("utf-8")


def _write_blobs(writer: _HashingWriter, workspace: Workspace) -> int:
    """Each distinct live file once, streamed from the blob store."""
    written: set[str] = set()
    digests = (
        EvidenceItem.objects.filter(
            workspace=workspace, tombstoned_at__isnull=True, storage=Storage.BLOB
        )
        .order_by("seq")
        .values_list("content_hash", flat=True)
        .iterator(chunk_size=2000)
    )
    store = get_blob_store()
    for digest in digests:
        if digest in written:
            continue
        written.add(digest)
        fh: IO[bytes] = store.open(digest)
        with fh:
            writer.write_chunks(f"blobs/{digest}", iter_file(fh))
    return len(written)


def write_package(workspace: Workspace, output: Path) -> ExportSummary:
    """Write the workspace's whole ledger to `output` (a zip)."""
    checkpoints = [
        {"workspace": workspace.slug, "seq": c.seq, "head_hash": c.head_hash,
         "signed_at": iso_datetime(c.signed_at), "key_id": c.key_id, "signature": c.signature}
        for c in EvidenceCheckpoint.objects.filter(workspace=workspace).order_by("seq", "pk")
    ]  # fmt: skip
    keys = dict(EvidenceSigningKey.objects.order_by("created_at").values_list(
        "key_id", "public_key"))  # fmt: skip
    verifier = resources.files("attestly.evidence").joinpath("standalone_verify.py").read_bytes()
    now = timezone.now()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        writer = _HashingWriter(archive)
        writer.write_chunks("items.jsonl", _items_lines(workspace))
        blob_count = _write_blobs(writer, workspace)
        writer.write_bytes("checkpoints.json", json.dumps(checkpoints, indent=1).encode())
        writer.write_bytes("keys.json", json.dumps(keys, indent=1).encode())
        writer.write_bytes("verify.py", verifier)
        writer.write_bytes(
            "README.txt",
            README.format(
                workspace=workspace.slug, at=iso_datetime(now), name=output.name
            ).encode(),
        )
        manifest = {
            "format": FORMAT,
            "version": 1,
            "workspace": workspace.slug,
            "exported_at": iso_datetime(now),
            "files": writer.files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    tmp.replace(output)
    item_count = EvidenceItem.objects.filter(workspace=workspace).count()
    return ExportSummary(items=item_count, blobs=blob_count, checkpoints=len(checkpoints))
