"""Reads of the framework catalog as stored in the database."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from attestly.frameworks.models import Criterion, Framework, PointOfFocus


def list_frameworks() -> QuerySet[Framework]:
    return Framework.objects.annotate(
        criteria_count=Count("criteria", distinct=True),
        points_of_focus_count=Count("criteria__points_of_focus", distinct=True),
    ).order_by("slug")


def list_criteria() -> QuerySet[Criterion]:
    """Criteria with framework, group, category and points of focus in a fixed number of queries."""
    return (
        Criterion.objects.select_related("framework", "group", "category")
        .prefetch_related(
            Prefetch("points_of_focus", queryset=PointOfFocus.objects.order_by("position"))
        )
        .order_by("framework__slug", "position")
    )
