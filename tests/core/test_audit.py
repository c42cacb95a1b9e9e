"""The audit log is append-only and hash-chained; hand edits are found and named."""

from __future__ import annotations

import pytest
from django.db import connection

from attestly.accounts.models import User
from attestly.core import audit
from attestly.core.actions import do_create_workspace, do_rename_workspace
from attestly.core.models import AppendOnlyError, AuditEntry, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(alice: User) -> Workspace:
    workspace = do_create_workspace(actor=alice, slug="initech", name="Initech")
    for name in ("Initech Ltd", "Initech Group", "Initech plc"):
        do_rename_workspace(actor=alice, workspace=workspace, name=name)
    return workspace


def test_actions_record_actor_object_and_before_after(history: Workspace, alice: User) -> None:
    entries = list(AuditEntry.objects.filter(workspace=history).order_by("seq"))
    assert [e.action for e in entries] == [
        "workspace.create",
        "membership.add",
        "workspace.rename",
        "workspace.rename",
        "workspace.rename",
    ]
    assert entries[-1].before == {"name": "Initech Group"}
    assert entries[-1].after == {"name": "Initech plc"}
    assert entries[-1].actor == alice
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash


def test_intact_chain_verifies(history: Workspace) -> None:
    checked, breaks = audit.verify_all(history)
    assert (checked, breaks) == (5, [])


def test_row_changed_by_hand_is_named(history: Workspace) -> None:
    target = AuditEntry.objects.get(workspace=history, seq=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET after = %s WHERE id = %s",
            ['{"name": "Evil Corp"}', target.pk],
        )
    _checked, breaks = audit.verify_all(history)
    assert breaks[0].seq == 3
    assert breaks[0].entry_id == target.pk
    assert "content changed" in breaks[0].problem


def test_row_deleted_by_hand_is_named(history: Workspace) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_auditentry WHERE chain = %s AND seq = 2", [audit.chain_name(history)]
        )
    _checked, breaks = audit.verify_all(history)
    assert breaks[0].seq == 2
    assert "deleted" in breaks[0].problem


def test_last_row_deleted_by_hand_is_found(history: Workspace) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_auditentry WHERE chain = %s AND seq = 5", [audit.chain_name(history)]
        )
    _checked, breaks = audit.verify_all(history)
    assert "tail missing" in breaks[0].problem


def test_entries_refuse_update_and_delete_through_the_orm(history: Workspace) -> None:
    entry = AuditEntry.objects.filter(workspace=history).first()
    assert entry is not None
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused() -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        audit.record(actor=None, action="x.y", workspace=None, object_type="t", object_id="1")
    assert AuditEntry.objects.count() == before
