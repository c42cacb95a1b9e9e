"""Reads for readiness: the rule's inputs built from the database, and recorded history.

`compute_readiness` gathers plain inputs in a fixed number of queries and hands them to the
pure rule in `attestly.readiness.scoring`. Later capabilities add per-control signals by
registering a provider with `register_signal_provider`; nothing else changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from attestly.controls.models import Control, ControlMapping
from attestly.core.models import Workspace
from attestly.frameworks.models import Category, Criterion, Framework
from attestly.frameworks.queries import criteria_by_id
from attestly.readiness.models import CriterionExclusion, FrameworkAdoption, ReadinessSnapshot
from attestly.readiness.scoring import (
    ControlInput,
    ControlSignal,
    CriterionInput,
    CriterionScore,
    FrameworkScore,
    score_framework,
)

# (workspace, its live controls) -> {control id: signals}. Providers must not write. The
# controls carry their id, ref, status and retirement only (any other field is one more query
# per control).
SignalProvider = Callable[[Workspace, Sequence[Control]], Mapping[int, Sequence[ControlSignal]]]
_SIGNAL_PROVIDERS: list[SignalProvider] = []


def register_signal_provider(provider: SignalProvider) -> SignalProvider:
    """Add a source of control signals (check results, evidence freshness, overdue tasks)."""
    if provider not in _SIGNAL_PROVIDERS:
        _SIGNAL_PROVIDERS.append(provider)
    return provider


def unregister_signal_provider(provider: SignalProvider) -> None:
    if provider in _SIGNAL_PROVIDERS:
        _SIGNAL_PROVIDERS.remove(provider)


@dataclass(frozen=True)
class Readiness:
    """A framework's score in a workspace, with what pages and the API need to show it."""

    workspace: Workspace
    framework: Framework
    categories: list[Category]
    criteria: list[Criterion]
    exclusions: dict[int, str]  # criterion id -> reason
    score: FrameworkScore

    def criterion_rows(self) -> list[tuple[Criterion, CriterionScore]]:
        by_key = {s.key: s for s in self.score.criteria}
        return [(c, by_key[c.ref]) for c in self.criteria]


def list_adoptions(workspace_ids: Any, framework: str | None = None) -> QuerySet[FrameworkAdoption]:
    qs = (
        FrameworkAdoption.objects.filter(workspace__in=workspace_ids)
        .select_related("workspace", "framework")
        .prefetch_related("categories")
    )
    if framework:
        qs = qs.filter(framework__slug=framework)
    return qs.order_by("workspace__slug", "framework__slug")


def compute_readiness(adoption: FrameworkAdoption) -> Readiness:
    """Score one adopted framework in its workspace (categories in scope only)."""
    workspace, framework = adoption.workspace, adoption.framework
    in_scope = sorted(adoption.categories.all(), key=lambda c: c.position)
    # From the process's catalog cache (with category and group): no query, no new instances.
    scope_ids = {c.pk for c in in_scope}
    criteria = sorted(
        (
            c
            for c in criteria_by_id().values()
            if c.framework_id == framework.pk and c.category_id in scope_ids
        ),
        key=lambda c: c.position,
    )
    exclusions = dict(
        CriterionExclusion.objects.filter(workspace=workspace, criterion__in=criteria).values_list(
            "criterion_id", "reason"
        )
    )
    controls = list(
        Control.objects.filter(workspace=workspace).only("id", "ref", "status", "retired_at")
    )
    refs = {c.pk: c.ref for c in controls}
    mapped: dict[int, list[str]] = defaultdict(list)
    for criterion_id, control_id in ControlMapping.objects.filter(
        control__workspace=workspace, criterion__in=criteria
    ).values_list("criterion_id", "control_id"):
        mapped[criterion_id].append(refs[control_id])
    signals: dict[int, list[ControlSignal]] = defaultdict(list)
    live = [c for c in controls if c.retired_at is None]
    for provider in _SIGNAL_PROVIDERS:
        for control_id, found in provider(workspace, live).items():
            signals[control_id].extend(found)
    inputs = {
        c.ref: ControlInput(c.ref, c.status, c.retired_at is not None, tuple(signals.get(c.pk, ())))
        for c in controls
    }
    criterion_inputs = [
        CriterionInput(
            c.ref, c.category.slug, tuple(sorted(mapped.get(c.pk, []))), c.pk in exclusions
        )
        for c in criteria
    ]
    score = score_framework(criterion_inputs, inputs, [c.slug for c in in_scope])
    return Readiness(workspace, framework, in_scope, criteria, exclusions, score)


def list_snapshots(workspace: Workspace, framework: Framework) -> QuerySet[ReadinessSnapshot]:
    return ReadinessSnapshot.objects.filter(workspace=workspace, framework=framework).order_by(
        "date"
    )


def score_history(workspace: Workspace, framework: Framework, days: int) -> list[tuple[str, float]]:
    """(ISO date, score) of the last `days` snapshots, oldest first: just what a chart draws,
    without loading each day's per-criterion detail."""
    latest = (
        list_snapshots(workspace, framework).order_by("-date").values_list("date", "score")[:days]
    )
    return [(day.isoformat(), score) for day, score in reversed(latest)]
