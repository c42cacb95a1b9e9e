"""A read-only API over an in-memory registry (checks, integrations), not a database table."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from attestly.api.permissions import DEFAULT_PERMISSIONS


class RegistryViewSet(viewsets.ViewSet):
    """List and retrieve entries of a frozen registry by id.

    Subclasses set `noun`, implement `entries()` (the registry: iterable, supports `in` and
    `.get(id)`) and `describe(entry)` (its JSON data), and declare their response schema.
    """

    permission_classes = DEFAULT_PERMISSIONS
    lookup_value_regex = r"[a-z0-9_]+"
    noun: ClassVar[str]

    def entries(self) -> Any:
        raise NotImplementedError

    def describe(self, entry: Any) -> dict[str, Any]:
        raise NotImplementedError

    def list(self, request: Request) -> Response:
        return Response([self.describe(entry) for entry in self.entries()])

    def retrieve(self, request: Request, pk: str) -> Response:
        registry = self.entries()
        if pk not in registry:
            raise exceptions.NotFound(f"No {self.noun} {pk!r}.")
        return Response(self.describe(registry.get(pk)))
