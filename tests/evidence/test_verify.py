from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.db import connection

from attestly.core.models import Workspace
from attestly.evidence.actions import do_tombstone_evidence, do_upload_evidence
from attestly.evidence.blobs import LocalBlobStore, get_blob_store
from attestly.evidence.models import EvidenceItem
from attestly.evidence.verify import verify_workspace
from attestly.testing.factories import record_evidence

pytestmark = pytest.mark.django_db


def _upload(workspace: Workspace, data: bytes, name: str = "policy.txt") -> EvidenceItem:
    return do_upload_evidence(
        actor=None,
        workspace=workspace,
        chunks=[data],
        filename=name,
        effective_from=dt.date(2026, 1, 31),
    )


def _problems(workspace: Workspace) -> list[str]:
    return [str(b) for b in verify_workspace(workspace).breaks]


def _sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_ledger_verifies(acme: Workspace) -> None:
    record_evidence(acme, 5)
    _upload(acme, b"access review done\n")
    report = verify_workspace(acme)
    assert report.ok
    assert (report.items, report.blobs, report.checkpoints) == (6, 1, 2)


def test_a_blob_changed_on_disk_is_named(acme: Workspace) -> None:
    item = _upload(acme, b"quarterly access review\n")
    store = get_blob_store()
    assert isinstance(store, LocalBlobStore)
    path: Path = store.path(item.content_hash)
    path.write_bytes(b"quarterly access review!\n")
    now = hashlib.sha256(b"quarterly access review!\n").hexdigest()
    assert _problems(acme) == [
        f"acme: item #1 (id {item.pk}, manual.upload policy.txt): blob "
        f"{item.content_hash[:16]}… changed: its content now hashes to {now[:16]}…"
    ]


def test_a_blob_deleted_on_disk_is_named(acme: Workspace) -> None:
    item = _upload(acme, b"backup restore test\n")
    get_blob_store().delete(item.content_hash)
    assert _problems(acme) == [
        f"acme: item #1 (id {item.pk}, manual.upload policy.txt): blob "
        f"{item.content_hash[:16]}… missing from the local blob store"
    ]


def test_a_chain_row_edited_in_sql_is_named(acme: Workspace) -> None:
    record_evidence(acme, 3)
    target = EvidenceItem.objects.in_workspace(acme).get(seq=2)
    _sql("UPDATE evidence_evidenceitem SET resource_key = %s WHERE id = %s", "forged", target.pk)
    assert _problems(acme) == [
        f"acme: item #2 (id {target.pk}, aws.s3.bucket forged): item changed: chain hash does "
        "not match the recorded fields"
    ]


def test_structured_content_edited_in_sql_is_named(acme: Workspace) -> None:
    record_evidence(acme, 2)
    target = EvidenceItem.objects.in_workspace(acme).get(seq=1)
    _sql("UPDATE evidence_evidenceitem SET content = %s WHERE id = %s", b'{"x":1}', target.pk)
    assert [p.split(": ", 2)[2] for p in _problems(acme)] == [
        "content changed: its SHA-256 does not match content_hash"
    ]


def test_a_deleted_row_is_named(acme: Workspace) -> None:
    record_evidence(acme, 3)
    _sql("DELETE FROM evidence_evidenceitem WHERE workspace_id = %s AND seq = 2", acme.pk)
    problems = _problems(acme)
    assert problems[0] == "acme: items #2..#2: missing: deleted from the chain"
    assert "link broken: prev_hash does not match the item before" in problems[1]


def test_a_checkpoint_with_a_bad_signature_is_named(acme: Workspace) -> None:
    result = record_evidence(acme, 2)
    _sql(
        "UPDATE evidence_evidencecheckpoint SET signature = %s WHERE id = %s",
        "00" * 64,
        result.checkpoint_id,
    )
    assert _problems(acme) == [f"acme: checkpoint {result.checkpoint_id} at #2: bad signature"]


def test_a_tombstoned_item_still_verifies_and_keeps_its_hash(
    acme: Workspace, alice: object
) -> None:
    item = _upload(acme, b"employee record\n")
    record_evidence(acme, 1)
    gone = do_tombstone_evidence(actor=alice, item=item, reason="GDPR erasure request 42")  # type: ignore[arg-type]
    assert gone.is_tombstoned and gone.content_hash == item.content_hash
    assert not get_blob_store().exists(item.content_hash)
    assert verify_workspace(acme).ok
