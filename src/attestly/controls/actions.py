"""Writes to workspace controls and their mappings. Each is one transaction, one audit entry.

Every check runs before anything is written, so a refused change leaves nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attestly.controls.models import Control, ControlMapping, ImplementationStatus
from attestly.core import audit
from attestly.core.models import Membership, Workspace
from attestly.frameworks.models import (
    Category,
    Criterion,
    Framework,
    Frequency,
    LibraryControl,
    LibraryControlMapping,
    Nature,
    Relationship,
)

if TYPE_CHECKING:
    from attestly.accounts.models import User

REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$")
CUSTOM_PREFIX = "CUS-"
EDITABLE = (
    "title",
    "description",
    "family",
    "owner",
    "nature",
    "frequency",
    "status",
    "na_reason",
    "evidence",
    "guidance",
)


def _choice(field: str, value: str, choices: type[Any]) -> None:
    if value not in choices.values:
        raise ValidationError(
            {field: f"{value!r} is not a valid {field}; choose one of {', '.join(choices.values)}."}
        )


def _check_owner(workspace: Workspace, owner: User | None) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(workspace=workspace, user=owner).exists()
    ):
        raise ValidationError(
            {
                "owner": f"{owner.get_username()} is not a member of the "
                f"{workspace.slug} workspace; a control's owner must be."
            }
        )


def _check_fields(workspace: Workspace, values: dict[str, Any]) -> None:
    """Refuse bad values with a message naming the field. Runs before any write."""
    _choice("status", values["status"], ImplementationStatus)
    _choice("nature", values["nature"], Nature)
    _choice("frequency", values["frequency"], Frequency)
    if values["status"] == ImplementationStatus.NOT_APPLICABLE and not values["na_reason"].strip():
        raise ValidationError({"na_reason": "A control marked not applicable needs a reason."})
    if not str(values["title"]).strip():
        raise ValidationError({"title": "A control needs a title."})
    for field, most in (("title", 200), ("family", 63)):
        if len(str(values[field])) > most:
            raise ValidationError({field: f"Use at most {most} characters."})
    evidence = values["evidence"]
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise ValidationError({"evidence": "Evidence must be a list of short texts."})
    _check_owner(workspace, values["owner"])


def snapshot(control: Control) -> dict[str, Any]:
    """The audited view of a control."""
    return {
        "ref": control.ref,
        "title": control.title,
        "description": control.description,
        "family": control.family,
        "owner": control.owner.get_username() if control.owner else None,
        "nature": control.nature,
        "frequency": control.frequency,
        "status": control.status,
        "na_reason": control.na_reason,
        "evidence": control.evidence,
        "guidance": control.guidance,
        "retired_at": control.retired_at.isoformat() if control.retired_at else None,
    }


def _next_custom_ref(workspace: Workspace) -> str:
    taken = set(
        Control.objects.filter(workspace=workspace, ref__startswith=CUSTOM_PREFIX).values_list(
            "ref", flat=True
        )
    )
    n = 1
    while f"{CUSTOM_PREFIX}{n:02d}" in taken:
        n += 1
    return f"{CUSTOM_PREFIX}{n:02d}"


def _check_mappings(mappings: Sequence[tuple[Criterion, str]]) -> None:
    for criterion, relationship in mappings:
        _choice("relationship", relationship, Relationship)
        if criterion.pk is None:
            raise ValidationError({"mappings": "Unknown criterion."})
    keys = [c.key for c, _ in mappings]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValidationError({"mappings": f"Criterion {dups[0]} is listed twice."})


def do_create_control(
    *,
    actor: User | None,
    workspace: Workspace,
    title: str,
    ref: str | None = None,
    description: str = "",
    family: str = "",
    owner: User | None = None,
    nature: str = Nature.MANUAL,
    frequency: str = Frequency.ANNUAL,
    status: str = ImplementationStatus.NOT_STARTED,
    na_reason: str = "",
    evidence: Sequence[str] = (),
    guidance: str = "",
    mappings: Sequence[tuple[Criterion, str]] = (),
) -> Control:
    """Write a control from scratch (no library template), with the criteria it meets."""
    values: dict[str, Any] = {
        "title": title,
        "description": description,
        "family": family,
        "owner": owner,
        "nature": nature,
        "frequency": frequency,
        "status": status,
        "na_reason": na_reason,
        "evidence": list(evidence),
        "guidance": guidance,
    }
    _check_fields(workspace, values)
    _check_mappings(mappings)
    if ref is not None and not REF_RE.match(ref):
        raise ValidationError({"ref": "Use 1 to 16 letters, digits, '.', '_' or '-'."})
    with transaction.atomic():
        ref = ref or _next_custom_ref(workspace)
        if Control.objects.filter(workspace=workspace, ref=ref).exists():
            raise ValidationError({"ref": f"The workspace already has a control {ref}."})
        values["title"] = title.strip()
        control = Control.objects.create(workspace=workspace, ref=ref, **values)
        ControlMapping.objects.bulk_create(
            ControlMapping(control=control, criterion=c, relationship=r) for c, r in mappings
        )
        audit.record(
            actor=actor,
            action="control.create",
            obj=control,
            workspace=workspace,
            after={**snapshot(control), "mappings": {c.key: r for c, r in mappings}},
        )
    return control


def do_update_control(*, actor: User | None, control: Control, **changes: Any) -> Control:
    """Change a control's fields (owner, status, text…). Unknown fields are refused."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({unknown[0]: "This field cannot be changed."})
    if control.is_retired:
        raise ValidationError({"retired_at": f"{control.ref} is retired; restore it first."})
    values = {f: getattr(control, f) for f in EDITABLE} | changes
    if values["status"] != ImplementationStatus.NOT_APPLICABLE and "na_reason" not in changes:
        values["na_reason"] = ""
    values["na_reason"] = (values["na_reason"] or "").strip()
    if values["evidence"] is None:
        values["evidence"] = []
    _check_fields(control.workspace, values)
    with transaction.atomic():
        before = snapshot(control)
        for field, value in values.items():
            setattr(control, field, value)
        control.save()
        after = snapshot(control)
        changed = {k for k in after if after[k] != before[k]}
        audit.record(
            actor=actor,
            action="control.update",
            obj=control,
            workspace=control.workspace,
            before={k: before[k] for k in sorted(changed)},
            after={k: after[k] for k in sorted(changed)},
        )
    return control


def do_retire_control(*, actor: User | None, control: Control) -> Control:
    """Retire a control: it leaves lists and scores but keeps its history."""
    if control.is_retired:
        return control
    with transaction.atomic():
        control.retired_at = timezone.now()
        control.save(update_fields=["retired_at", "updated_at"])
        audit.record(
            actor=actor,
            action="control.retire",
            obj=control,
            workspace=control.workspace,
            after={"retired_at": control.retired_at},
        )
    return control


def do_restore_control(*, actor: User | None, control: Control) -> Control:
    if not control.is_retired:
        return control
    with transaction.atomic():
        before = control.retired_at
        control.retired_at = None
        control.save(update_fields=["retired_at", "updated_at"])
        audit.record(
            actor=actor,
            action="control.restore",
            obj=control,
            workspace=control.workspace,
            before={"retired_at": before},
        )
    return control


def do_map_control(
    *,
    actor: User | None,
    control: Control,
    criterion: Criterion,
    relationship: str = Relationship.INTERSECT,
) -> ControlMapping:
    """Say that a control meets a criterion (or change how it relates to it)."""
    _choice("relationship", relationship, Relationship)
    with transaction.atomic():
        mapping, created = ControlMapping.objects.get_or_create(
            control=control, criterion=criterion, defaults={"relationship": relationship}
        )
        before = None if created else {"relationship": mapping.relationship}
        if not created:
            mapping.relationship = relationship
            mapping.save(update_fields=["relationship"])
        audit.record(
            actor=actor,
            action="control.map",
            obj=mapping,
            workspace=control.workspace,
            before=before,
            after={
                "control": control.ref,
                "criterion": criterion.key,
                "relationship": relationship,
            },
        )
    return mapping


def do_unmap_control(*, actor: User | None, mapping: ControlMapping) -> None:
    control = mapping.control
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="control.unmap",
            obj=mapping,
            workspace=control.workspace,
            before={
                "control": control.ref,
                "criterion": mapping.criterion.key,
                "relationship": mapping.relationship,
            },
        )
        mapping.delete()


def _copy_from_library(
    workspace: Workspace, libs: Iterable[LibraryControl]
) -> tuple[list[Control], list[str]]:
    """Workspace copies of library controls (with all their mappings), skipping ones the
    workspace already has. Returns (created controls, refs of the ones reused)."""
    have = dict(
        Control.objects.filter(workspace=workspace, library_control__isnull=False).values_list(
            "library_control_id", "ref"
        )
    )
    taken_refs = set(Control.objects.filter(workspace=workspace).values_list("ref", flat=True))
    new: list[Control] = []
    reused: list[str] = []
    for lib in libs:
        if lib.pk in have:
            reused.append(have[lib.pk])
            continue
        # A control written from scratch may already use the library id; keep both apart.
        ref = lib.ref if lib.ref not in taken_refs else f"{lib.ref}-L"[:16]
        new.append(
            Control(
                workspace=workspace,
                library_control=lib,
                ref=ref,
                title=lib.title,
                description=lib.description,
                family=lib.family,
                nature=lib.nature,
                frequency=lib.frequency,
                evidence=lib.evidence,
                guidance=lib.guidance,
            )
        )
    if not new:
        return [], reused
    Control.objects.bulk_create(new)
    # Re-read rather than trust bulk_create to fill primary keys on every database.
    created = list(
        Control.objects.filter(
            workspace=workspace, library_control__in=[c.library_control_id for c in new]
        ).order_by("ref")
    )
    by_lib = {c.library_control_id: c for c in created}
    ControlMapping.objects.bulk_create(
        ControlMapping(
            control=by_lib[m.control_id], criterion_id=m.criterion_id, relationship=m.relationship
        )
        for m in LibraryControlMapping.objects.filter(control_id__in=list(by_lib))
    )
    return created, reused


def adopt_library_controls(
    *, workspace: Workspace, framework: Framework, categories: Iterable[Category]
) -> tuple[list[str], list[str]]:
    """Create workspace controls for the library controls that meet in-scope criteria.

    Part of `readiness.actions.do_adopt_framework`, inside its transaction and audit entry.
    A library control the workspace already has (from another framework, or retired) is
    reused, never copied twice: test once, comply many. New controls get every library
    mapping, in all frameworks. Returns (created refs, reused refs).
    """
    wanted = (
        LibraryControl.objects.filter(
            mappings__criterion__framework=framework,
            mappings__criterion__category__in=list(categories),
        )
        .distinct()
        .order_by("position")
    )
    created, reused = _copy_from_library(workspace, wanted)
    return [c.ref for c in created], reused


def do_add_library_control(
    *, actor: User | None, workspace: Workspace, library_control: LibraryControl
) -> Control:
    """Add one library control to a workspace outside any adoption, with all its mappings."""
    existing = Control.objects.filter(workspace=workspace, library_control=library_control).first()
    if existing is not None:
        raise ValidationError(
            {
                "library_control": f"The workspace already has {library_control.ref} "
                f"(as {existing.ref})."
            }
        )
    with transaction.atomic():
        [control], _ = _copy_from_library(workspace, [library_control])
        audit.record(
            actor=actor,
            action="control.add_from_library",
            obj=control,
            workspace=workspace,
            after={**snapshot(control), "library_control": library_control.ref},
        )
    return control
