"""Recomputing a workspace's ledger: chain links, item hashes, content, blobs, checkpoints.

Every break is reported (not just the first), each naming the item or checkpoint and what is
wrong, so an operator can tell a tampered row from a lost file.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from attestly.core.models import Workspace
from attestly.evidence.blobs import BlobStore, get_blob_store, hash_blob
from attestly.evidence.hashing import (
    GENESIS,
    chain_hash,
    checkpoint_message,
    header_fields,
    iso_date,
    iso_datetime,
)
from attestly.evidence.keys import verify_signature
from attestly.evidence.models import (
    EvidenceChainHead,
    EvidenceCheckpoint,
    EvidenceItem,
    EvidenceSigningKey,
    Storage,
)

_FIELDS = (
    "pk", "seq", "prev_hash", "chain_hash", "content_hash", "size", "media_type", "source",
    "source_ref", "kind", "resource_key", "collected_at", "effective_from", "effective_to",
    "valid_until", "filename", "control_refs", "storage", "content", "tombstoned_at",
)  # fmt: skip


@dataclass(frozen=True)
class Break:
    """One place where the ledger does not match its recomputation."""

    workspace: str
    what: str
    problem: str

    def __str__(self) -> str:
        return f"{self.workspace}: {self.what}: {self.problem}"


@dataclass
class Report:
    """What `verify_workspace` checked and every break it found."""

    workspace: str
    items: int = 0
    blobs: int = 0
    checkpoints: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(workspace: Workspace) -> Iterator[tuple[Any, ...]]:
    return (
        EvidenceItem.objects.filter(workspace=workspace)
        .order_by("seq")
        .values_list(*_FIELDS)
        .iterator(chunk_size=5000)
    )


def _row_hash(row: dict[str, Any]) -> str:
    return chain_hash(
        header_fields(
            seq=row["seq"], prev_hash=row["prev_hash"], content_hash=row["content_hash"],
            size=row["size"], media_type=row["media_type"], source=row["source"],
            source_ref=row["source_ref"], kind=row["kind"], resource_key=row["resource_key"],
            collected_at=iso_datetime(row["collected_at"]) or "",
            effective_from=iso_date(row["effective_from"]),
            effective_to=iso_date(row["effective_to"]),
            valid_until=iso_datetime(row["valid_until"]), filename=row["filename"],
            control_refs=list(row["control_refs"] or []),
        )
    )  # fmt: skip


def check_item_row(row: dict[str, Any], prev_hash: str | None) -> list[str]:
    """Problems with one item's own hashes (and its link, when `prev_hash` is given)."""
    problems = []
    if prev_hash is not None and row["prev_hash"] != prev_hash:
        problems.append("link broken: prev_hash does not match the item before")
    if _row_hash(row) != row["chain_hash"]:
        problems.append("item changed: chain hash does not match the recorded fields")
    if row["storage"] == Storage.DB and row["tombstoned_at"] is None:
        content = row["content"]
        if content is None:
            problems.append("content missing from the database (and no tombstone)")
        elif hashlib.sha256(bytes(content)).hexdigest() != row["content_hash"]:
            problems.append("content changed: its SHA-256 does not match content_hash")
    return problems


def _what(row: dict[str, Any]) -> str:
    return f"item #{row['seq']} (id {row['pk']}, {row['kind']} {row['resource_key']})"


def verify_workspace(
    workspace: Workspace, *, store: BlobStore | None = None, check_blobs: bool = True
) -> Report:
    """Recompute one workspace's chain, content hashes, blobs and checkpoint signatures."""
    report = Report(workspace.slug)
    add = report.breaks.append
    checkpoints = list(EvidenceCheckpoint.objects.filter(workspace=workspace).order_by("seq"))
    wanted = {c.seq for c in checkpoints}
    head_at: dict[int, str] = {}
    blob_items: dict[str, list[str]] = defaultdict(list)
    prev, expected, last_seq = GENESIS, 1, 0
    for values in _rows(workspace):
        row = dict(zip(_FIELDS, values, strict=True))
        report.items += 1
        if row["seq"] != expected:
            add(Break(workspace.slug, f"items #{expected}..#{row['seq'] - 1}",
                      "missing: deleted from the chain"))  # fmt: skip
        for problem in check_item_row(row, prev):
            add(Break(workspace.slug, _what(row), problem))
        if row["storage"] == Storage.BLOB and row["tombstoned_at"] is None:
            blob_items[row["content_hash"]].append(_what(row))
        if row["seq"] in wanted:
            head_at[row["seq"]] = row["chain_hash"]
        prev, expected, last_seq = row["chain_hash"], row["seq"] + 1, row["seq"]
    head = EvidenceChainHead.objects.filter(workspace=workspace).first()
    if head is not None and (head.seq != last_seq or (last_seq and head.hash != prev)):
        add(Break(workspace.slug, f"chain head #{head.seq}",
                  f"tail missing or changed: the head records #{head.seq}, the chain ends at "
                  f"#{last_seq}"))  # fmt: skip
    _verify_checkpoints(workspace, checkpoints, head_at, report)
    if check_blobs:
        store = store or get_blob_store()
        for digest, whats in blob_items.items():
            report.blobs += 1
            actual = hash_blob(store, digest)
            if actual is None:
                problem = f"blob {digest[:16]}… missing from the {store.name} blob store"
            elif actual != digest:
                problem = f"blob {digest[:16]}… changed: its content now hashes to {actual[:16]}…"
            else:
                continue
            for what in whats:
                add(Break(workspace.slug, what, problem))
    return report


def _verify_checkpoints(
    workspace: Workspace, checkpoints: list[EvidenceCheckpoint], head_at: dict[int, str],
    report: Report,
) -> None:  # fmt: skip
    keys = dict(EvidenceSigningKey.objects.values_list("key_id", "public_key"))
    for cp in checkpoints:
        report.checkpoints += 1
        what = f"checkpoint {cp.pk} at #{cp.seq}"
        public = keys.get(cp.key_id)
        message = checkpoint_message(
            workspace=workspace.slug, seq=cp.seq, head_hash=cp.head_hash,
            signed_at=iso_datetime(cp.signed_at) or "", key_id=cp.key_id,
        )  # fmt: skip
        if public is None:
            report.breaks.append(Break(workspace.slug, what, f"unknown signing key {cp.key_id}"))
        elif not verify_signature(public, cp.signature, message):
            report.breaks.append(Break(workspace.slug, what, "bad signature"))
        if cp.seq and head_at.get(cp.seq) != cp.head_hash:
            report.breaks.append(
                Break(
                    workspace.slug, what, "signed head hash does not match the chain at that item"
                )
            )


def verify_all(workspace: Workspace | None = None, *, check_blobs: bool = True) -> list[Report]:
    """Verify one workspace, or every workspace that has evidence."""
    if workspace is not None:
        return [verify_workspace(workspace, check_blobs=check_blobs)]
    ids = EvidenceChainHead.objects.values_list("workspace_id", flat=True)
    return [verify_workspace(ws, check_blobs=check_blobs)
            for ws in Workspace.objects.filter(pk__in=ids).order_by("slug")]  # fmt: skip


def item_badge(item: EvidenceItem, prev_hash: str | None, *, rehash_blob: bool) -> dict[str, Any]:
    """One item's own verification for a badge: its chain hash and link (given the previous
    item's chain hash), its inline content, and its blob (present, or re-hashed)."""
    if item.is_tombstoned:
        return {"state": "tombstoned", "label": "content removed", "problems": []}
    row = {name: getattr(item, "pk" if name == "pk" else name) for name in _FIELDS}
    problems = check_item_row(row, prev_hash)
    if item.storage == Storage.BLOB:
        store = get_blob_store()
        if rehash_blob:
            actual = hash_blob(store, item.content_hash)
            if actual != item.content_hash:
                problems.append("blob missing" if actual is None else "blob changed")
        elif not store.exists(item.content_hash):
            problems.append("blob missing")
    if problems:
        return {"state": "broken", "label": "broken", "problems": problems}
    return {"state": "verified", "label": "verified", "problems": []}


def previous_hashes(items: list[EvidenceItem]) -> dict[tuple[int, int], str]:
    wanted = {(i.workspace_id, i.seq - 1) for i in items if i.seq > 1}
    if not wanted:
        return {}
    rows = EvidenceItem.objects.filter(
        workspace_id__in={w for w, _s in wanted}, seq__in={s for _w, s in wanted}
    ).values_list("workspace_id", "seq", "chain_hash")
    return {(w, s): h for w, s, h in rows}


def badges_for(
    items: list[EvidenceItem], *, rehash_blob: bool = False
) -> dict[int, dict[str, Any]]:
    """A badge per item (by pk), looking up each item's predecessor in one query."""
    prev = previous_hashes(items)
    return {
        item.pk: item_badge(
            item,
            prev.get((item.workspace_id, item.seq - 1)) if item.seq > 1 else GENESIS,
            rehash_blob=rehash_blob,
        )
        for item in items
    }
