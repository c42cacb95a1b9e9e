from __future__ import annotations

import pytest

from attestly.core.models import AppendOnlyError, AuditEntry, Workspace
from attestly.evidence.actions import do_record_evidence_batch
from attestly.evidence.hashing import GENESIS, canonical_bytes, item_chain_hash, sha256_hex
from attestly.evidence.models import (
    EvidenceCheckpoint,
    EvidenceItem,
)
from attestly.evidence.queries import list_batch_items
from attestly.evidence.verify import verify_workspace
from attestly.testing.factories import EvidenceInputFactory, record_evidence

pytestmark = pytest.mark.django_db


def test_batch_hashes_chains_stores_and_signs(acme: Workspace) -> None:
    result = record_evidence(acme, 3)
    items = list(EvidenceItem.objects.in_workspace(acme).order_by("seq"))
    assert [i.seq for i in items] == [1, 2, 3]
    assert items[0].prev_hash == GENESIS
    assert [i.prev_hash for i in items[1:]] == [i.chain_hash for i in items[:-1]]
    assert all(item_chain_hash(i) == i.chain_hash for i in items)
    assert all(sha256_hex(bytes(i.content)) == i.content_hash for i in items)
    checkpoint = EvidenceCheckpoint.objects.get(pk=result.checkpoint_id)
    assert (checkpoint.seq, checkpoint.head_hash) == (3, items[-1].chain_hash)
    assert AuditEntry.objects.filter(action="evidence.record_batch", workspace=acme).count() == 1


def test_same_batch_key_adds_nothing_the_second_time(acme: Workspace) -> None:
    first = record_evidence(acme, 5, batch_key="aws:run-1")
    second = record_evidence(acme, 5, batch_key="aws:run-1")
    assert first.created and not second.created
    assert second.last_seq == first.last_seq == 5
    assert EvidenceItem.objects.in_workspace(acme).count() == 5


def test_chains_are_per_workspace(acme: Workspace, globex: Workspace) -> None:
    record_evidence(acme, 2)
    record_evidence(globex, 1)
    record_evidence(acme, 2)
    assert list(
        EvidenceItem.objects.in_workspace(acme).order_by("seq").values_list("seq", flat=True)
    ) == [1, 2, 3, 4]
    assert EvidenceItem.objects.in_workspace(globex).get().prev_hash == GENESIS


def test_same_content_has_the_same_hash(acme: Workspace) -> None:
    record_evidence(acme, 4, content={"same": True})
    hashes = set(EvidenceItem.objects.in_workspace(acme).values_list("content_hash", flat=True))
    assert hashes == {sha256_hex(canonical_bytes({"same": True}))}


def test_items_refuse_save_and_delete(acme: Workspace) -> None:
    record_evidence(acme, 1)
    item = EvidenceItem.objects.in_workspace(acme).get()
    with pytest.raises(AppendOnlyError):
        item.save()
    with pytest.raises(AppendOnlyError):
        item.delete()
    with pytest.raises(AppendOnlyError):
        EvidenceItem.objects.in_workspace(acme).delete()


def test_a_failing_item_leaves_nothing_behind(acme: Workspace) -> None:
    def items():  # type: ignore[no-untyped-def]
        yield from EvidenceInputFactory.build_batch(2)
        yield EvidenceInputFactory.build(content={"bad": object()})

    with pytest.raises(TypeError):
        do_record_evidence_batch(
            actor=None, workspace=acme, source="connection", batch_key="broken", items=items()
        )
    assert EvidenceItem.objects.in_workspace(acme).count() == 0
    assert record_evidence(acme, 2, batch_key="broken").created


def test_a_batch_past_one_insert_group_chains_every_row(acme: Workspace) -> None:
    result = record_evidence(acme, 257)
    assert (result.item_count, result.last_seq) == (257, 257)
    assert verify_workspace(acme).ok


def test_a_batchs_items_are_found_by_seq_range(acme: Workspace) -> None:
    record_evidence(acme, 2)
    result = record_evidence(acme, 3)
    items = list_batch_items(acme, result.first_seq, result.last_seq)
    assert [i.seq for i in items] == [3, 4, 5]
    assert {i.batch_id for i in items} == {result.batch_id}
