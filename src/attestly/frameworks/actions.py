"""Copying the YAML catalog into the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from attestly.core import audit
from attestly.core.canonical import canonical_json, sha256_hex
from attestly.frameworks.catalog import Catalog
from attestly.frameworks.catalog.control_schema import ControlSpec
from attestly.frameworks.catalog.schema import FrameworkSpec
from attestly.frameworks.models import (
    Category,
    Criterion,
    CriterionGroup,
    Framework,
    LibraryControl,
    LibraryControlMapping,
    PointOfFocus,
)

if TYPE_CHECKING:
    from attestly.accounts.models import User


@dataclass(frozen=True)
class SyncReport:
    changed: list[str]
    unchanged: list[str]
    controls_changed: int = 0
    controls_unchanged: int = 0
    controls_removed: int = 0


def control_hash(spec: ControlSpec) -> str:
    return sha256_hex(canonical_json(spec.model_dump(mode="json")))


def do_sync_catalog(*, actor: User | None, catalog: Catalog) -> SyncReport:
    """Bring the database's frameworks in line with the catalog files.

    A framework whose content hash is unchanged is skipped, so start-up stays cheap. All
    frameworks sync in one transaction: a failure leaves the previous catalog in place.
    """
    from attestly.frameworks.queries import forget_criteria

    changed: list[str] = []
    unchanged: list[str] = []
    # Whatever happens below, lists must read the catalog as it is now stored.
    transaction.on_commit(forget_criteria)
    forget_criteria()
    with transaction.atomic():
        stored = {f.slug: f for f in Framework.objects.all()}
        for slug, spec in sorted(catalog.frameworks.items()):
            digest = catalog.framework_hashes[slug]
            existing = stored.get(slug)
            if existing is not None and existing.content_hash == digest:
                unchanged.append(slug)
                continue
            _replace_framework(spec, digest, catalog.sources.get("framework:" + slug, ""))
            changed.append(slug)
            audit.record(
                actor=actor,
                action="catalog.sync_framework",
                workspace=None,
                object_type="frameworks.framework",
                object_id=slug,
                object_repr=spec.name,
                before={"hash": existing.content_hash} if existing else None,
                after={"hash": digest, "criteria": len(spec.criteria)},
            )
        # When a framework changed, its criteria may have been replaced: re-map every control.
        counts = _sync_controls(catalog, force=bool(changed))
        if counts[0] or counts[2]:
            audit.record(
                actor=actor,
                action="catalog.sync_controls",
                workspace=None,
                object_type="frameworks.librarycontrol",
                object_id="*",
                object_repr="control library",
                after={"changed": counts[0], "unchanged": counts[1], "removed": counts[2]},
            )
    return SyncReport(
        changed=changed,
        unchanged=unchanged,
        controls_changed=counts[0],
        controls_unchanged=counts[1],
        controls_removed=counts[2],
    )


def _sync_controls(catalog: Catalog, *, force: bool) -> tuple[int, int, int]:
    """Upsert library controls whose content hash changed. Returns (changed, unchanged, removed)."""
    stored = {c.ref: c for c in LibraryControl.objects.all()}
    criterion_ids = dict(Criterion.objects.values_list("key", "pk"))
    sources = catalog.sources
    changed = unchanged = 0
    moved: list[LibraryControl] = []
    for pos, (ref, spec) in enumerate(catalog.controls.items()):
        digest = control_hash(spec)
        existing = stored.get(ref)
        if not force and existing is not None and existing.content_hash == digest:
            unchanged += 1
            if existing.position != pos:  # a control before it came or went: only reorder
                existing.position = pos
                moved.append(existing)
            continue
        control, _ = LibraryControl.objects.update_or_create(
            ref=ref,
            defaults={
                "title": spec.title,
                "family": spec.family,
                "description": spec.description,
                "owner_role": spec.owner_role,
                "nature": spec.nature.value,
                "frequency": spec.frequency.value,
                "evidence": list(spec.evidence),
                "guidance": spec.guidance,
                "source": sources.get("control:" + ref, ""),
                "content_hash": digest,
                "position": pos,
            },
        )
        LibraryControlMapping.objects.filter(control=control).delete()
        LibraryControlMapping.objects.bulk_create(
            LibraryControlMapping(
                control=control, criterion_id=criterion_ids[f"{fid}:{cref}"], relationship=rel.value
            )
            for fid, targets in spec.maps.items()
            for cref, rel in targets.items()
        )
        changed += 1
    LibraryControl.objects.bulk_update(moved, ["position"], batch_size=500)
    gone = len(set(stored) - set(catalog.controls))
    if gone:
        LibraryControl.objects.exclude(ref__in=list(catalog.controls)).delete()
    return changed, unchanged, gone


def _replace_framework(spec: FrameworkSpec, digest: str, source: str) -> Framework:
    framework, _ = Framework.objects.update_or_create(
        slug=spec.id,
        defaults={
            "name": spec.name,
            "version": spec.version,
            "publisher": spec.publisher,
            "description": spec.description,
            "source": source,
            "content_hash": digest,
        },
    )
    categories = {}
    for pos, cat in enumerate(spec.categories):
        categories[cat.id], _ = Category.objects.update_or_create(
            framework=framework,
            slug=cat.id,
            defaults={
                "name": cat.name,
                "description": cat.description or "",
                "always_in_scope": cat.always_in_scope,
                "position": pos,
            },
        )
    Category.objects.filter(framework=framework).exclude(slug__in=categories).delete()
    groups: dict[str, CriterionGroup] = {}
    for pos, g in enumerate(spec.groups):
        groups[g.id], _ = CriterionGroup.objects.update_or_create(
            framework=framework,
            ref=g.id,
            defaults={
                "name": g.name,
                "category": categories.get(g.category or ""),
                "coso_component": g.coso_component or "",
                "position": pos,
                "parent": None,
            },
        )
    for g in spec.groups:
        if g.parent:
            CriterionGroup.objects.filter(pk=groups[g.id].pk).update(parent=groups[g.parent])
    kept_refs = []
    for pos, c in enumerate(spec.criteria):
        criterion, _ = Criterion.objects.update_or_create(
            framework=framework,
            ref=c.id,
            defaults={
                "key": f"{spec.id}:{c.id}",
                "group": groups[c.group],
                "category": categories[c.category],
                "title": c.title,
                "statement": c.statement,
                "coso_principle": c.coso_principle,
                "position": pos,
            },
        )
        kept_refs.append(c.id)
        PointOfFocus.objects.filter(criterion=criterion).delete()
        PointOfFocus.objects.bulk_create(
            PointOfFocus(
                criterion=criterion,
                ref=p.id,
                scope=p.scope.value,
                privacy_role=p.privacy_role.value if p.privacy_role else "",
                goods_only=p.goods_only,
                text=p.text,
                position=i,
            )
            for i, p in enumerate(c.points_of_focus)
        )
    Criterion.objects.filter(framework=framework).exclude(ref__in=kept_refs).delete()
    CriterionGroup.objects.filter(framework=framework).exclude(ref__in=groups).delete()
    return framework
