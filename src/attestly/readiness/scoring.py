"""The readiness rule: control status → criterion status → category → framework score.

Pure functions over plain values: no database, no clock. `attestly.readiness.queries` builds
the inputs from the database; tests and benchmarks call these directly. docs/readiness.md
states the rule in words; keep the two in step.

Later inputs (automated check results, evidence freshness, overdue tasks) do not change this
module's shape: each becomes a `ControlSignal` attached to a control, and a signal can only
lower what the control counts for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ControlState(StrEnum):
    """What a control counts as once its status and signals are combined."""

    IMPLEMENTED = "implemented"
    PARTIAL = "partial"  # in progress, or implemented but weakened by a signal
    NOT_IMPLEMENTED = "not_implemented"
    FAILING = "failing"  # a signal says it does not work: its criteria are not met
    EXCLUDED = "excluded"  # not applicable or retired: leaves the score


class CriterionStatus(StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


class SignalEffect(StrEnum):
    """What a signal does to a control. Ordered from mildest to worst."""

    DEGRADE = "degrade"  # counts at most as partial (stale evidence, overdue task)
    FAIL = "fail"  # counts as failing (a failing automated check)


@dataclass(frozen=True)
class ControlSignal:
    """One outside fact about a control that can lower its standing.

    `source` names where it came from ("check", "evidence", "task"), `detail` says why in a
    sentence a person can act on.
    """

    source: str
    effect: SignalEffect
    detail: str = ""


@dataclass(frozen=True)
class ControlInput:
    """A control as the rule sees it. `status` is an ImplementationStatus value."""

    key: str
    status: str
    retired: bool = False
    signals: tuple[ControlSignal, ...] = ()


@dataclass(frozen=True)
class CriterionInput:
    """A criterion in scope: its category and the keys of the controls mapped to it."""

    key: str
    category: str
    control_keys: tuple[str, ...] = ()
    not_applicable: bool = False


# What each control state contributes to a criterion's score.
CREDIT: Mapping[ControlState, float] = {
    ControlState.IMPLEMENTED: 1.0,
    ControlState.PARTIAL: 0.5,
    ControlState.NOT_IMPLEMENTED: 0.0,
    ControlState.FAILING: 0.0,
}

# A criterion's score as a colour band for heat maps, on the same 0..1 scale.
STATUS_ORDER = (
    CriterionStatus.NOT_MET,
    CriterionStatus.PARTLY_MET,
    CriterionStatus.MET,
    CriterionStatus.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class CriterionScore:
    key: str
    category: str
    status: CriterionStatus
    score: float | None  # 0..1; None when not applicable
    controls: dict[str, ControlState] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CategoryScore:
    slug: str
    score: float | None  # 0..1; None when nothing in it is applicable
    counts: dict[CriterionStatus, int]


@dataclass(frozen=True)
class FrameworkScore:
    score: float | None  # 0..1
    counts: dict[CriterionStatus, int]
    categories: list[CategoryScore]
    criteria: list[CriterionScore]

    @property
    def percent(self) -> float:
        return round(100 * (self.score or 0.0), 1)

    def criterion(self, key: str) -> CriterionScore:
        return next(c for c in self.criteria if c.key == key)


def control_state(control: ControlInput) -> ControlState:
    """Combine a control's status with its signals. Signals only ever lower the result."""
    if control.retired or control.status == "not_applicable":
        return ControlState.EXCLUDED
    base = {
        "implemented": ControlState.IMPLEMENTED,
        "in_progress": ControlState.PARTIAL,
    }.get(control.status, ControlState.NOT_IMPLEMENTED)
    effects = {s.effect for s in control.signals}
    if SignalEffect.FAIL in effects:
        return ControlState.FAILING
    if SignalEffect.DEGRADE in effects and base == ControlState.IMPLEMENTED:
        return ControlState.PARTIAL
    return base


def score_criterion(
    criterion: CriterionInput, controls: Mapping[str, ControlInput]
) -> CriterionScore:
    """A criterion is met when every applicable control mapped to it is implemented."""
    if criterion.not_applicable:
        return CriterionScore(
            criterion.key,
            criterion.category,
            CriterionStatus.NOT_APPLICABLE,
            None,
            reasons=("declared not applicable",),
        )
    states = {k: control_state(controls[k]) for k in criterion.control_keys if k in controls}
    counted = {k: s for k, s in states.items() if s != ControlState.EXCLUDED}
    reasons = tuple(
        f"{k}: {sig.source}: {sig.detail or sig.effect.value}"
        for k in counted
        for sig in controls[k].signals
    )
    if not counted:
        return CriterionScore(
            criterion.key,
            criterion.category,
            CriterionStatus.NOT_MET,
            0.0,
            states,
            reasons or ("no applicable control meets it",),
        )
    if ControlState.FAILING in counted.values():
        return CriterionScore(
            criterion.key, criterion.category, CriterionStatus.NOT_MET, 0.0, states, reasons
        )
    score = sum(CREDIT[s] for s in counted.values()) / len(counted)
    if score == 1.0:
        status = CriterionStatus.MET
    elif score > 0.0:
        status = CriterionStatus.PARTLY_MET
    else:
        status = CriterionStatus.NOT_MET
    return CriterionScore(criterion.key, criterion.category, status, score, states, reasons)


def _counts(scores: Iterable[CriterionScore]) -> dict[CriterionStatus, int]:
    counts = dict.fromkeys(CriterionStatus, 0)
    for s in scores:
        counts[s.status] += 1
    return counts


def _mean(scores: Sequence[CriterionScore]) -> float | None:
    values = [s.score for s in scores if s.score is not None]
    return sum(values) / len(values) if values else None


def score_framework(
    criteria: Sequence[CriterionInput],
    controls: Mapping[str, ControlInput],
    categories: Sequence[str] = (),
) -> FrameworkScore:
    """Score every criterion, then each category and the framework as plain means.

    `categories` fixes the order of the category scores (default: first appearance).
    Each applicable criterion weighs the same; not-applicable ones leave every mean.
    """
    scored = [score_criterion(c, controls) for c in criteria]
    order = list(categories) or list(dict.fromkeys(c.category for c in criteria))
    by_category = [
        CategoryScore(slug, _mean(in_cat), _counts(in_cat))
        for slug in order
        for in_cat in [[s for s in scored if s.category == slug]]
    ]
    return FrameworkScore(_mean(scored), _counts(scored), by_category, scored)
