"""Evaluating checks over evidence. Pure: no database, no clock, no I/O.

The inner loop is one C-level `map` per check (`list(map(evaluate, items, repeat(ctx)))`)
followed by one C-level `map` from return values to statuses. Nothing is allocated per
evaluation beyond the result list slot; a check that raises is re-run item by item so only the
items it fails on become `error`, and the run goes on with the next check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from attestly.checks.metadata import Scope
from attestly.checks.registry import Check
from attestly.checks.types import WORKSPACE_RESOURCE, Context, Evidence, Outcome, Status, Verdict

_STATUS_OF: dict[Any, Status] = {True: Status.PASS, False: Status.FAIL, None: Status.NOT_APPLICABLE}
_BY_VALUE = {s.value: s for s in Status if s != Status.EXCEPTED}


@dataclass(slots=True)
class CheckEvaluation:
    """One check's verdicts over the items it read, index for index.

    `details` holds the reason for the few verdicts that carry one (a `Verdict` or an error).
    """

    check_id: str
    items: Sequence[Evidence]
    statuses: list[Status | None]
    details: dict[int, str] = field(default_factory=dict)
    workspace_scope: bool = False

    def outcomes(self) -> Iterable[Outcome]:
        if self.workspace_scope:
            status = self.statuses[0] or Status.ERROR
            hashes = tuple(sorted({item.hash for item in self.items}))
            yield Outcome(
                self.check_id,
                WORKSPACE_RESOURCE,
                status,
                self.details.get(0, ""),
                hashes,
                self.items[0].kind if self.items else "",
            )
            return
        details = self.details
        for i, (item, found) in enumerate(zip(self.items, self.statuses, strict=True)):
            yield Outcome(
                self.check_id,
                item.key,
                found or Status.ERROR,
                details.get(i, ""),
                (item.hash,),
                item.kind,
            )

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for status in self.statuses:
            key = (status or Status.ERROR).value
            found[key] = found.get(key, 0) + 1
        return found


def interpret(value: Any) -> tuple[Status, str]:
    """Turn what `evaluate` returned into a status and a reason."""
    status = _STATUS_OF.get(value) if isinstance(value, bool | None) else None
    if status is not None:
        return status, ""
    if isinstance(value, Verdict):
        return value.status, value.detail
    if isinstance(value, str) and value in _BY_VALUE:
        return _BY_VALUE[value], ""
    return Status.ERROR, f"evaluate returned {type(value).__name__}, not a verdict"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def evaluate_check(check: Check, items: Sequence[Evidence], ctx: Context) -> CheckEvaluation:
    """Run one check over its items; never raises because of the check."""
    fn = check.evaluate
    if check.meta.scope == Scope.WORKSPACE:
        try:
            status, detail = interpret(fn(items, ctx))
        except Exception as exc:
            status, detail = Status.ERROR, _describe(exc)
        return CheckEvaluation(
            check.id, items, [status], {0: detail} if detail else {}, workspace_scope=True
        )
    try:
        # map() drives the loop in C: no bytecode runs per item outside `evaluate` itself.
        raw = list(map(fn, items, repeat(ctx)))
    except Exception:
        return _evaluate_one_by_one(check, items, ctx)
    statuses: list[Status | None] = list(map(_STATUS_OF.get, raw))
    details: dict[int, str] = {}
    if None in statuses:
        for i, known in enumerate(statuses):
            if known is None:
                statuses[i], detail = interpret(raw[i])
                if detail:
                    details[i] = detail
    return CheckEvaluation(check.id, items, statuses, details)


def _evaluate_one_by_one(check: Check, items: Sequence[Evidence], ctx: Context) -> CheckEvaluation:
    statuses: list[Status | None] = []
    details: dict[int, str] = {}
    fn = check.evaluate
    for i, item in enumerate(items):
        try:
            status, detail = interpret(fn(item, ctx))
        except Exception as exc:
            status, detail = Status.ERROR, _describe(exc)
        statuses.append(status)
        if detail:
            details[i] = detail
    return CheckEvaluation(check.id, items, statuses, details)


def kind_matches(pattern: str, kind: str) -> bool:
    """`upload.*` matches `upload.document`; other patterns match exactly."""
    if pattern.endswith(".*"):
        return kind.startswith(pattern[:-1])
    return kind == pattern


def select(items_by_kind: Mapping[str, Sequence[Evidence]], kinds: Iterable[str]) -> list[Evidence]:
    """The items of the given kinds (or kind families), in kind then key order."""
    selected: list[Evidence] = []
    for pattern in kinds:
        if pattern.endswith(".*"):
            for kind in sorted(items_by_kind):
                if kind_matches(pattern, kind):
                    selected.extend(items_by_kind[kind])
        else:
            selected.extend(items_by_kind.get(pattern, ()))
    return selected


def evaluate_all(
    checks: Iterable[Check], items_by_kind: Mapping[str, Sequence[Evidence]], ctx: Context
) -> list[CheckEvaluation]:
    """Run every check over the items of its kinds. A check with no items has no results."""
    evaluations = []
    for check in checks:
        items = select(items_by_kind, check.meta.kinds)
        if items:
            evaluations.append(evaluate_check(check, items, ctx))
    return evaluations
