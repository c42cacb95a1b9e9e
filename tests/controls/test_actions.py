from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from attestly.accounts.models import User
from attestly.controls.actions import (
    do_add_library_control,
    do_create_control,
    do_map_control,
    do_restore_control,
    do_retire_control,
    do_unmap_control,
    do_update_control,
)
from attestly.controls.models import Control, ControlMapping
from attestly.core.audit import verify_all
from attestly.core.models import AuditEntry, Workspace
from attestly.frameworks.models import LibraryControl
from attestly.testing.factories import ControlFactory, ControlMappingFactory, criterion

pytestmark = pytest.mark.django_db


def _entries(workspace: Workspace) -> int:
    return AuditEntry.objects.filter(workspace=workspace).count()


def test_create_from_scratch_with_mappings_is_one_audited_write(
    acme: Workspace, alice: User
) -> None:
    control = do_create_control(
        actor=alice,
        workspace=acme,
        title="  Quarterly firewall rule review ",
        owner=alice,
        nature="manual",
        frequency="quarterly",
        evidence=["Signed review"],
        mappings=[(criterion("soc2:CC6.6"), "subset"), (criterion("iso27001:A.8.20"), "equal")],
    )
    assert control.ref == "CUS-01"
    assert control.title == "Quarterly firewall rule review"
    assert control.library_control is None
    assert sorted(control.mappings.values_list("criterion__key", "relationship")) == [
        ("iso27001:A.8.20", "equal"),
        ("soc2:CC6.6", "subset"),
    ]
    entry = AuditEntry.objects.get(workspace=acme)
    assert entry.action == "control.create"
    assert entry.after["owner"] == "alice"
    assert verify_all(acme)[1] == []


def test_custom_refs_count_up(acme: Workspace, alice: User) -> None:
    do_create_control(actor=alice, workspace=acme, title="One")
    assert do_create_control(actor=alice, workspace=acme, title="Two").ref == "CUS-02"


def test_duplicate_ref_is_refused(acme: Workspace, alice: User) -> None:
    ControlFactory(workspace=acme, ref="NET-99")
    with pytest.raises(ValidationError, match="already has a control NET-99"):
        do_create_control(actor=alice, workspace=acme, title="Again", ref="NET-99")


def test_owner_from_another_workspace_is_refused_and_nothing_is_saved(
    acme: Workspace, alice: User, mallory: User
) -> None:
    with pytest.raises(ValidationError, match="mallory is not a member of the acme workspace"):
        do_create_control(
            actor=alice,
            workspace=acme,
            title="X",
            owner=mallory,
            mappings=[(criterion("soc2:CC6.1"), "subset")],
        )
    assert Control.objects.filter(workspace=acme).count() == 0
    assert ControlMapping.objects.count() == 0
    assert _entries(acme) == 0


def test_not_applicable_without_reason_is_refused(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme, status="in_progress")
    with pytest.raises(ValidationError, match="needs a reason"):
        do_update_control(actor=alice, control=control, status="not_applicable")
    control.refresh_from_db()
    assert control.status == "in_progress"
    assert _entries(acme) == 0


def test_not_applicable_with_reason_is_kept_and_cleared_on_return(
    acme: Workspace, alice: User
) -> None:
    control = ControlFactory(workspace=acme)
    do_update_control(
        actor=alice, control=control, status="not_applicable", na_reason="No physical office"
    )
    control.refresh_from_db()
    assert (control.status, control.na_reason) == ("not_applicable", "No physical office")
    do_update_control(actor=alice, control=control, status="in_progress")
    control.refresh_from_db()
    assert (control.status, control.na_reason) == ("in_progress", "")


def test_status_outside_the_list_is_refused(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme)
    with pytest.raises(ValidationError, match="'done' is not a valid status"):
        do_update_control(actor=alice, control=control, status="done")
    control.refresh_from_db()
    assert control.status == "not_started"


def test_update_audits_only_what_changed(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme)
    do_update_control(actor=alice, control=control, status="implemented", owner=alice)
    entry = AuditEntry.objects.get(workspace=acme, action="control.update")
    assert entry.before == {"owner": None, "status": "not_started"}
    assert entry.after == {"owner": "alice", "status": "implemented"}


def test_unknown_field_is_refused(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme)
    with pytest.raises(ValidationError, match="cannot be changed"):
        do_update_control(actor=alice, control=control, workspace_id=99)


def test_retire_and_restore(acme: Workspace, alice: User) -> None:
    control = ControlFactory(workspace=acme)
    do_retire_control(actor=alice, control=control)
    assert control.is_retired
    with pytest.raises(ValidationError, match="retired; restore it first"):
        do_update_control(actor=alice, control=control, status="implemented")
    do_restore_control(actor=alice, control=control)
    control.refresh_from_db()
    assert not control.is_retired
    assert list(AuditEntry.objects.filter(workspace=acme).values_list("action", flat=True)) == [
        "control.retire",
        "control.restore",
    ]


def test_map_changes_relationship_and_unmap_removes(acme: Workspace, alice: User) -> None:
    mapping = ControlMappingFactory(control=ControlFactory(workspace=acme))
    same = do_map_control(
        actor=alice, control=mapping.control, criterion=mapping.criterion, relationship="equal"
    )
    assert same.pk == mapping.pk
    assert same.relationship == "equal"
    with pytest.raises(ValidationError, match="not a valid relationship"):
        do_map_control(
            actor=alice,
            control=mapping.control,
            criterion=mapping.criterion,
            relationship="overlaps",
        )
    do_unmap_control(actor=alice, mapping=same)
    assert ControlMapping.objects.count() == 0
    assert _entries(acme) == 2


def test_add_library_control_copies_it_with_its_mappings_once(acme: Workspace, alice: User) -> None:
    library = LibraryControl.objects.get(ref="PHY-01")
    control = do_add_library_control(actor=alice, workspace=acme, library_control=library)
    assert (control.ref, control.title, control.library_control) == (
        "PHY-01",
        library.title,
        library,
    )
    assert control.mappings.count() == library.mappings.count()
    with pytest.raises(ValidationError, match="already has PHY-01"):
        do_add_library_control(actor=alice, workspace=acme, library_control=library)
    assert AuditEntry.objects.get(workspace=acme).action == "control.add_from_library"


def test_library_id_taken_by_a_custom_control_gets_a_suffix(acme: Workspace, alice: User) -> None:
    ControlFactory(workspace=acme, ref="PHY-01")
    control = do_add_library_control(
        actor=alice, workspace=acme, library_control=LibraryControl.objects.get(ref="PHY-01")
    )
    assert control.ref == "PHY-01-L"


def test_overlong_title_is_refused(acme: Workspace, alice: User) -> None:
    with pytest.raises(ValidationError, match="at most 200 characters"):
        do_create_control(actor=alice, workspace=acme, title="x" * 201)
    assert Control.objects.count() == 0
