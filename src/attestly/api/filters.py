"""Filtering that refuses what it does not understand.

A typo in a filter name must not silently return everything, so unknown query parameters
answer 400 naming the parameter and the ones that are allowed.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

ALWAYS_ALLOWED = {"page", "page_size", "format", "search", "ordering"}


class StrictFilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # untyped base
    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        allowed = set(ALWAYS_ALLOWED) | set(getattr(view, "extra_query_params", ()))
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {unknown[0]: [f"Unknown filter. Allowed: {', '.join(sorted(allowed))}."]}
            )
        filtered: QuerySet[Any] = super().filter_queryset(request, queryset, view)
        return filtered


class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]  # no stubs
    """A primary-key filter: an integer that fits the database's id column.

    NumberFilter takes any decimal, and a huge one (1e308) reached the database as an
    integer too large for it: a 500 instead of a 400.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
