"""Reads of the framework catalog as stored in the database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from django.db.models import Case, Count, Max, Prefetch, QuerySet, Value, When
from django.db.models.query import ModelIterable

from attestly.frameworks.models import Criterion, Framework, PointOfFocus


def list_frameworks() -> QuerySet[Framework]:
    """Frameworks with their counts; SOC 2 first, being what Attestly is built around."""
    return Framework.objects.annotate(
        criteria_count=Count("criteria", distinct=True),
        points_of_focus_count=Count("criteria__points_of_focus", distinct=True),
        soc2_first=Case(When(slug="soc2", then=Value(0)), default=Value(1)),
    ).order_by("soc2_first", "name")


def list_criteria() -> QuerySet[Criterion]:
    """Criteria with framework, group, category and points of focus in a fixed number of queries."""
    return (
        Criterion.objects.select_related("framework", "group", "category")
        .prefetch_related(
            Prefetch("points_of_focus", queryset=PointOfFocus.objects.order_by("position"))
        )
        .order_by("framework__slug", "position")
    )


# The catalog changes only when it is synced (after migrate, or a test's flush); lists that
# show hundreds of mapped criteria take them from here instead of building three model
# instances per mapping on every request.
_criteria_lock = threading.Lock()
_criteria: tuple[tuple[int, int], dict[int, Criterion]] | None = None


def criteria_by_id() -> dict[int, Criterion]:
    """Every criterion with its framework and category, by id, shared by the process.

    Read-only: callers must not change the instances. One cheap query checks that the stored
    catalog is still the one cached (its size and highest id), and a sync in this process
    clears it; a catalog changed in place by another process is seen after a restart, as
    catalog changes come with an upgrade or a configuration change, which restart anyway.
    """
    global _criteria
    stamp = Criterion.objects.aggregate(n=Count("pk"), top=Max("pk"))
    version = (stamp["n"], stamp["top"] or 0)
    cached = _criteria
    if cached is not None and cached[0] == version:
        return cached[1]
    with _criteria_lock:
        found = {
            c.pk: c for c in Criterion.objects.select_related("framework", "category", "group")
        }
        _criteria = (version, found)
    return found


def forget_criteria() -> None:
    """Drop the cached criteria (the catalog was synced)."""
    global _criteria
    _criteria = None


class CachedCriterionIterable(ModelIterable):  # type: ignore[type-arg]  # generic in stubs only
    """Mapping rows whose `criterion` comes from `criteria_by_id()` (no join, no new
    instances): for querysets of ControlMapping and LibraryControlMapping."""

    def __iter__(self) -> Iterator[Any]:
        criteria = criteria_by_id()
        for mapping in super().__iter__():
            mapping.criterion = criteria[mapping.criterion_id]
            yield mapping
