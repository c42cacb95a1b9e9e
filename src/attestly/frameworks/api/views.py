from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import viewsets

from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.frameworks.api.serializers import CriterionSerializer, FrameworkSerializer
from attestly.frameworks.models import Criterion, Framework
from attestly.frameworks.queries import list_criteria, list_frameworks


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet[Framework]):
    """Frameworks in the catalog, with their categories and counts."""

    serializer_class = FrameworkSerializer
    permission_classes = DEFAULT_PERMISSIONS
    resource = "catalog"
    lookup_field = "slug"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Framework]:
        return list_frameworks().prefetch_related("categories")


class CriterionFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped base
    framework = django_filters.CharFilter(field_name="framework__slug")
    category = django_filters.CharFilter(field_name="category__slug")
    group = django_filters.CharFilter(field_name="group__ref")
    search = django_filters.CharFilter(
        method="filter_search", label="Text in id, title, statement or points of focus"
    )

    class Meta:
        model = Criterion
        fields = ["framework", "category", "group"]

    def filter_search(
        self, queryset: QuerySet[Criterion], name: str, value: str
    ) -> QuerySet[Criterion]:
        return search_criteria(queryset, value)


def search_criteria(queryset: QuerySet[Criterion], text: str) -> QuerySet[Criterion]:
    text = text.strip()[:200]
    if not text:
        return queryset
    return queryset.filter(
        Q(ref__icontains=text)
        | Q(title__icontains=text)
        | Q(statement__icontains=text)
        | Q(points_of_focus__text__icontains=text)
    ).distinct()


class CriterionViewSet(viewsets.ReadOnlyModelViewSet[Criterion]):
    """Criteria with their points of focus. Look one up by key, e.g. `soc2:CC6.1`."""

    serializer_class = CriterionSerializer
    permission_classes = DEFAULT_PERMISSIONS
    resource = "catalog"
    filterset_class = CriterionFilter
    lookup_field = "key"
    lookup_url_kwarg = "key"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Criterion]:
        return list_criteria()

    def get_object(self) -> Any:
        # Let a framework-less ref work when it is unambiguous: /criteria/CC6.1/
        key = self.kwargs["key"]
        if ":" not in key:
            matches = list(Criterion.objects.filter(ref=key).values_list("key", flat=True)[:2])
            if len(matches) == 1:
                self.kwargs["key"] = matches[0]
        return super().get_object()
