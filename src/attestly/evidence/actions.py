"""Every write to the evidence ledger. Collectors, imports, the API, the UI and the CLI call these.

The ingest entry point is `do_record_evidence_batch`; single files go through
`do_upload_evidence`. Both end in one durable transaction that appends to the workspace's
hash chain, stores content, signs a checkpoint and writes one audit entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.core import audit
from attestly.core.models import Workspace
from attestly.evidence import keys as keyring
from attestly.evidence.hashing import GENESIS, checkpoint_message, iso_datetime
from attestly.evidence.ledger import ChainTail, EvidenceInput, StoredBlob, append_items
from attestly.evidence.models import (
    EvidenceBatch,
    EvidenceChainHead,
    EvidenceCheckpoint,
    EvidenceItem,
    EvidenceSigningKey,
    Source,
    Storage,
)

if TYPE_CHECKING:
    from attestly.accounts.models import User

__all__ = [
    "BatchResult",
    "EvidenceInput",
    "StoredBlob",
    "do_record_evidence_batch",
    "do_rotate_signing_key",
    "do_tombstone_evidence",
    "do_upload_evidence",
    "ensure_signing_key",
]


@dataclass(frozen=True)
class BatchResult:
    """What a batch call did. `created` is False when the batch_key was already recorded."""

    batch_id: int
    batch_key: str
    created: bool
    item_count: int
    first_seq: int
    last_seq: int
    head_hash: str
    checkpoint_id: int | None


def _result(batch: EvidenceBatch, created: bool) -> BatchResult:
    checkpoint = EvidenceCheckpoint.objects.filter(batch=batch).first()
    return BatchResult(
        batch_id=batch.pk,
        batch_key=batch.batch_key,
        created=created,
        item_count=batch.item_count,
        first_seq=batch.first_seq,
        last_seq=batch.last_seq,
        head_hash=checkpoint.head_hash if checkpoint else "",
        checkpoint_id=checkpoint.pk if checkpoint else None,
    )


def _signing_key_row(key: keyring.SigningKey) -> EvidenceSigningKey:
    row, _created = EvidenceSigningKey.objects.get_or_create(
        key_id=key.key_id, defaults={"public_key": key.public_hex, "created_at": timezone.now()}
    )
    return row


def ensure_signing_key() -> tuple[keyring.SigningKey, bool]:
    """The installation key, made (0600) if missing, with its public half recorded."""
    key, created = keyring.ensure_key()
    with transaction.atomic():
        _signing_key_row(key)
    return key, created


def _sign_checkpoint(
    workspace: Workspace, batch: EvidenceBatch | None, tail: ChainTail, now: dt.datetime
) -> EvidenceCheckpoint:
    key, _created = keyring.ensure_key()
    _signing_key_row(key)
    signed_at = now
    message = checkpoint_message(
        workspace=workspace.slug,
        seq=tail.seq,
        head_hash=tail.hash,
        signed_at=iso_datetime(signed_at) or "",
        key_id=key.key_id,
    )
    return EvidenceCheckpoint.objects.create(
        workspace=workspace,
        batch=batch,
        seq=tail.seq,
        head_hash=tail.hash,
        signed_at=signed_at,
        key_id=key.key_id,
        signature=key.sign(message),
    )


def do_record_evidence_batch(
    *,
    actor: User | None,
    workspace: Workspace,
    source: str,
    batch_key: str,
    items: Iterable[EvidenceInput],
    source_ref: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Record a batch of evidence items in one durable transaction, or nothing at all.

    Each item's content (a JSON value, stored as canonical JSON in the item's own row) or file
    (already in the blob store, see `StoredBlob`) is hashed with SHA-256, appended to the
    workspace's hash chain, and the batch is sealed by a checkpoint signed with the
    installation key. One audit entry records the batch.

    Idempotent per (workspace, batch_key): calling again with a key already recorded adds
    nothing and returns the first call's result with `created=False`. Use a key that names
    the collection run, e.g. "aws:123456789012:2026-01-31T00:00Z" or "import:<file sha256>".
    A crash or kill mid-way leaves no item behind, so re-running the same batch is safe.

    `items` is consumed lazily, so a generator of millions of items streams in bounded
    memory; `on_progress(n)` is called with the running count after each chunk written.
    The transaction is durable: call this outside any other `transaction.atomic` block (it
    raises otherwise), so that a returned result is on disk.
    """
    if source not in Source.values:
        raise ValidationError({"source": f"Unknown source {source!r}; one of {Source.values}."})
    if not batch_key or len(batch_key) > 200:
        raise ValidationError({"batch_key": "A batch key of 1 to 200 characters is required."})
    with transaction.atomic(durable=True):
        EvidenceChainHead.objects.get_or_create(workspace=workspace, defaults={"hash": GENESIS})
        head = EvidenceChainHead.objects.select_for_update().get(workspace=workspace)
        existing = EvidenceBatch.objects.filter(workspace=workspace, batch_key=batch_key).first()
        if existing is not None:
            return _result(existing, created=False)
        now = timezone.now()
        batch = EvidenceBatch.objects.create(
            workspace=workspace,
            batch_key=batch_key,
            source=source,
            source_ref=source_ref[:300],
            created_at=now,
            created_by=actor,
            first_seq=head.seq + 1,
            last_seq=head.seq,
        )
        tail = append_items(
            workspace_id=workspace.pk,
            batch_id=batch.pk,
            source=source,
            source_ref=source_ref[:300],
            items=items,
            start=ChainTail(head.seq, head.hash, 0),
            now=now,
            on_progress=on_progress,
        )
        EvidenceBatch.objects.filter(pk=batch.pk).update(last_seq=tail.seq, item_count=tail.count)
        batch.last_seq, batch.item_count = tail.seq, tail.count
        EvidenceChainHead.objects.filter(pk=head.pk).update(seq=tail.seq, hash=tail.hash)
        checkpoint = _sign_checkpoint(workspace, batch, tail, now)
        audit.record(
            actor=actor,
            action="evidence.record_batch",
            obj=batch,
            workspace=workspace,
            after={
                "batch_key": batch_key,
                "source": source,
                "items": tail.count,
                "first_seq": batch.first_seq,
                "last_seq": tail.seq,
                "head": tail.hash,
                "checkpoint": checkpoint.pk,
            },
        )
    return BatchResult(
        batch_id=batch.pk,
        batch_key=batch_key,
        created=True,
        item_count=tail.count,
        first_seq=batch.first_seq,
        last_seq=tail.seq,
        head_hash=tail.hash,
        checkpoint_id=checkpoint.pk,
    )


def do_tombstone_evidence(*, actor: User, item: EvidenceItem, reason: str) -> EvidenceItem:
    """Delete an item's content for privacy. Its hashes stay, so the chain still verifies.

    Inline content goes with the row's update; a blob file is deleted only when no other live
    item shares the same hash (the blob store keeps one copy per hash).
    """
    from attestly.evidence.blobs import get_blob_store

    if not reason.strip():
        raise ValidationError({"reason": "Say why the content is removed."})
    if item.is_tombstoned:
        raise ValidationError({"item": "This item's content was already removed."})
    now = timezone.now()
    with transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(
            tombstoned_at=now, tombstoned_by=actor, tombstone_reason=reason.strip(), content=None
        )
        shared = EvidenceItem.objects.filter(
            content_hash=item.content_hash, tombstoned_at__isnull=True
        ).exists()
        audit.record(
            actor=actor,
            action="evidence.tombstone",
            obj=item,
            workspace=item.workspace,
            after={"seq": item.seq, "content_hash": item.content_hash, "reason": reason.strip()},
        )
    if not shared and item.storage == Storage.BLOB:
        # After commit: a rolled-back tombstone must not lose the file.
        get_blob_store().delete(item.content_hash)
    item.refresh_from_db()
    return item


def do_rotate_signing_key(*, actor: User | None) -> tuple[str, str]:
    """Make a new installation key; the old one is retired (public half kept). (old, new)."""
    old, _created = keyring.ensure_key()
    with transaction.atomic():
        _signing_key_row(old)
        new = keyring.create_key()
        EvidenceSigningKey.objects.filter(key_id=old.key_id).update(retired_at=timezone.now())
        _signing_key_row(new)
        audit.record(
            actor=actor,
            action="evidence.rotate_key",
            workspace=None,
            object_type="evidence.signingkey",
            object_id=new.key_id,
            object_repr=f"ed25519:{new.key_id}",
            before={"key_id": old.key_id},
            after={"key_id": new.key_id},
        )
    keyring.retire_private_key(old.key_id)
    return old.key_id, new.key_id


def do_upload_evidence(
    *,
    actor: User | None,
    workspace: Workspace,
    chunks: Iterable[bytes],
    filename: str,
    effective_from: dt.date | None,
    effective_to: dt.date | None = None,
    control_refs: Sequence[str] = (),
    kind: str = "manual.upload",
    valid_until: dt.datetime | None = None,
    batch_key: str | None = None,
) -> EvidenceItem:
    """Store one uploaded file as evidence: streamed to disk while hashed, sniffed, chained.

    Raises `uploads.UploadRejected` (nothing stored) for a file over the size limit, an
    executable, or a zip bomb.
    """
    from attestly.evidence.uploads import accept_upload

    if effective_from and effective_to and effective_to < effective_from:
        raise ValidationError({"effective_to": "The period ends before it starts."})
    refs = _known_control_refs(workspace, control_refs)
    from attestly.evidence.blobs import get_blob_store

    accepted = accept_upload(chunks, filename)
    try:
        result = do_record_evidence_batch(
            actor=actor,
            workspace=workspace,
            source=Source.UPLOAD,
            batch_key=batch_key or f"upload:{uuid.uuid4()}",
            source_ref=accepted.filename,
            items=[
                EvidenceInput(
                    kind=kind,
                    resource_key=accepted.filename,
                    blob=accepted.blob,
                    effective_from=effective_from,
                    effective_to=effective_to,
                    valid_until=valid_until,
                    filename=accepted.filename,
                    control_refs=refs,
                )
            ],
        )
        store = get_blob_store()
        if not store.exists(accepted.blob.digest):
            # A tombstone of the same content, deciding before this item committed, deleted
            # the shared file: put it back now that this item refers to it.
            store.put_path(accepted.blob.digest, accepted.staged.path, keep=True)
    finally:
        accepted.discard()
    return EvidenceItem.objects.get(workspace=workspace, seq=result.last_seq)


def _known_control_refs(workspace: Workspace, control_refs: Sequence[str]) -> list[str]:
    """The refs, cleaned, each naming a control of the workspace or of the library.

    Evidence is never edited, so a mistyped control would stay unlinked forever: refuse it.
    """
    from attestly.controls.models import Control
    from attestly.frameworks.catalog.loader import shipped_catalog

    refs = list(dict.fromkeys(r.strip() for r in control_refs if r.strip()))
    known = set(
        Control.objects.filter(workspace=workspace, ref__in=refs).values_list("ref", flat=True)
    ) | (set(refs) & set(shipped_catalog().controls))
    unknown = [r for r in refs if r not in known]
    if unknown:
        names = ", ".join(unknown)
        raise ValidationError({"control_refs": f"Unknown control {names}: use an id like AC-01."})
    return refs
