"""Adopting frameworks and setting their scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from attestly.core import audit
from attestly.core.models import Workspace
from attestly.frameworks.models import Category, Framework
from attestly.readiness.models import FrameworkAdoption

if TYPE_CHECKING:
    from attestly.accounts.models import User


def _resolve_categories(framework: Framework, slugs: Iterable[str]) -> list[Category]:
    wanted = set(slugs)
    found = {c.slug: c for c in framework.categories.all()}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise ValidationError(
            {
                "categories": f"Unknown {framework.slug} categories: "
                f"{', '.join(unknown)}. Known: {', '.join(found)}."
            }
        )
    # Categories that are always in scope (SOC 2 security) cannot be left out.
    return [c for c in found.values() if c.slug in wanted or c.always_in_scope]


def do_adopt_framework(
    *,
    actor: User | None,
    workspace: Workspace,
    framework: Framework,
    categories: Iterable[str] = (),
) -> FrameworkAdoption:
    """Adopt a framework (or change its scope if already adopted)."""
    chosen = _resolve_categories(framework, categories)
    with transaction.atomic():
        adoption, created = FrameworkAdoption.objects.get_or_create(
            workspace=workspace, framework=framework
        )
        before = None if created else sorted(c.slug for c in adoption.categories.all())
        adoption.categories.set(chosen)
        audit.record(
            actor=actor,
            action="framework.adopt" if created else "framework.scope",
            obj=adoption,
            workspace=workspace,
            before={"categories": before},
            after={"categories": sorted(c.slug for c in chosen)},
        )
    return adoption
