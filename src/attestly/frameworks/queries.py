"""Reads of the framework catalog as stored in the database."""

from __future__ import annotations

from django.db.models import Case, Count, Prefetch, QuerySet, Value, When

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
