"""Scoped reads of workspace controls and library controls, free of N+1 queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from attestly.controls.models import Control, ControlMapping
from attestly.core import datacache
from attestly.frameworks.models import Criterion, LibraryControl, LibraryControlMapping
from attestly.frameworks.queries import CachedCriterionIterable, criteria_by_id

# What a workspace's list of controls shows depends on, for kept pages and API answers
# (attestly.core.datacache): its controls and their mappings, what adopting frameworks adds,
# owners (memberships) and failing checks (the `checks=failing` filter).
LIST_DEPENDS_ON: datacache.Depends = ("controls", "readiness", "core", "checks", datacache.RUNS)


def _mappings(model: Any) -> Prefetch[Any]:
    """Mapped criteria, with each criterion (framework, category) from the process's catalog
    cache rather than joined and built anew for every row of every list."""
    queryset = model.objects.order_by("criterion__framework__slug", "criterion__position")
    queryset._iterable_class = CachedCriterionIterable
    return Prefetch("mappings", queryset=queryset)


def list_controls(mappings: bool = True) -> QuerySet[Control]:
    """Controls with workspace, owner, template and (unless `mappings` is False: lists attach
    theirs to the page they show, see `attach_mappings`) mapped criteria, in four queries."""
    controls = Control.objects.select_related("workspace", "owner", "library_control")
    if mappings:
        controls = controls.prefetch_related(_mappings(ControlMapping))
    return controls.order_by("workspace__slug", "ref")


@dataclass(frozen=True)
class Mapped:
    """One criterion a control meets, as lists show it: no model instance per mapping."""

    criterion: Criterion
    relationship: str


def attach_mappings(controls: Sequence[Control]) -> None:
    """Set `control.mapped` (Mapped, by framework and position) on each control, read in one
    query of plain values with the criteria from the process's catalog cache: a page of 50
    controls holds ~500 mappings, and building a model instance for each was most of the cost
    of listing controls."""
    criteria = criteria_by_id()
    found: dict[int, list[Mapped]] = defaultdict(list)
    rows = ControlMapping.objects.filter(control_id__in=[c.pk for c in controls]).order_by()
    for control_id, criterion_id, relationship in rows.values_list(
        "control_id", "criterion_id", "relationship"
    ):
        found[control_id].append(Mapped(criteria[criterion_id], relationship))
    for control in controls:
        mapped = found.get(control.pk, [])
        mapped.sort(key=lambda m: (m.criterion.framework.slug, m.criterion.position))
        control.mapped = mapped  # type: ignore[attr-defined]


def list_library_controls() -> QuerySet[LibraryControl]:
    """Library controls with their mapped criteria in two queries."""
    return LibraryControl.objects.prefetch_related(_mappings(LibraryControlMapping)).order_by(
        "position"
    )


FRAMEWORK_ORDER = ("soc2", "iso27001", "nist-csf", "gdpr")


def framework_order(slug: str) -> tuple[int, str]:
    """SOC 2 first, then ISO 27001, NIST CSF, GDPR, then any others by id."""
    return (FRAMEWORK_ORDER.index(slug) if slug in FRAMEWORK_ORDER else 99, slug)


def maps_by_framework(mappings: Iterable[Any]) -> dict[str, list[Any]]:
    """Group prefetched mappings (library or workspace) by framework slug."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for m in mappings:
        grouped[m.criterion.framework.slug].append(m)
    return dict(sorted(grouped.items(), key=lambda kv: framework_order(kv[0])))


@dataclass
class Counterpart:
    """A criterion of another framework reached through shared controls."""

    criterion: Criterion
    via: list[str] = field(default_factory=list)  # control refs
    relationships: dict[str, str] = field(default_factory=dict)  # control ref -> relationship


def crosswalk(criterion: Criterion, *, workspace: Any = None) -> dict[str, list[Counterpart]]:
    """Criteria of every other framework that share a control with `criterion`.

    Uses the library's mappings, or a workspace's own (edited) mappings when given.
    """
    if workspace is None:
        pairs = LibraryControlMapping.objects.filter(
            control__mappings__criterion=criterion
        ).select_related("control", "criterion__framework")
        rows = [(m.control.ref, m.relationship, m.criterion) for m in pairs]
    else:
        wpairs = ControlMapping.objects.filter(
            control__workspace=workspace,
            control__retired_at__isnull=True,
            control__mappings__criterion=criterion,
        ).select_related("control", "criterion__framework")
        rows = [(m.control.ref, m.relationship, m.criterion) for m in wpairs]
    found: dict[int, Counterpart] = {}
    for ref, relationship, other in rows:
        if other.framework_id == criterion.framework_id:
            continue
        cp = found.setdefault(other.pk, Counterpart(other))
        if ref not in cp.relationships:
            cp.via.append(ref)
            cp.relationships[ref] = relationship
    grouped: dict[str, list[Counterpart]] = defaultdict(list)
    for cp in sorted(
        found.values(),
        key=lambda c: (framework_order(c.criterion.framework.slug), c.criterion.position),
    ):
        grouped[cp.criterion.framework.slug].append(cp)
    return dict(grouped)
