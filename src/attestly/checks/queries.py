"""Scoped reads: current results, exceptions, Type II period roll-ups, replay, readiness."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from attestly.checks.engine import evaluate_check
from attestly.checks.intervals import active_exceptions
from attestly.checks.mapping import mappings_for
from attestly.checks.models import CheckException, CheckResult, CheckRollup, RollupLevel
from attestly.checks.registry import get_registry
from attestly.checks.sources import EvidenceSource, LedgerSource
from attestly.checks.types import STATUS_RANK, Context, Status
from attestly.core import datacache
from attestly.core.models import Workspace

T = TypeVar("T")

# What a workspace's checks and results show depends on, for kept pages and API answers
# (attestly.core.datacache): its results, exceptions and mappings, which check runs, imports
# and collection runs write.
LIST_DEPENDS_ON: datacache.Depends = ("checks", datacache.RUNS)


def effective_status(status: str, excepted_now: bool) -> str:
    """What a stored status means today: failures under an active exception are excepted,
    and an excepted result whose exception has expired or been revoked is failing again."""
    if status in (Status.FAIL, Status.EXCEPTED):
        return Status.EXCEPTED.value if excepted_now else Status.FAIL.value
    return status


def current_results(workspace: Workspace, check_id: str | None = None) -> QuerySet[CheckResult]:
    """The workspace's current results (latest interval per check and resource)."""
    query = CheckResult.objects.filter(workspace=workspace, is_current=True)
    return query.filter(check_id=check_id) if check_id is not None else query


def current_with_status(
    workspace: Workspace, check_id: str | None = None
) -> list[tuple[CheckResult, str]]:
    """Current results with their effective status, failing first."""
    excepted = active_exceptions(workspace, timezone.now().date())
    rows = [
        (r, effective_status(r.status, (r.check_id, r.resource_key) in excepted))
        for r in current_results(workspace, check_id).order_by("check_id", "resource_key")
    ]
    order = {"fail": 0, "error": 1, "excepted": 2, "pass": 3, "not_applicable": 4}
    return sorted(rows, key=lambda pair: order[pair[1]])


@dataclass
class StatusCounts:
    """How many current results have each effective status."""

    passing: int = 0
    failing: int = 0
    error: int = 0
    excepted: int = 0
    not_applicable: int = 0
    checks: set[str] = field(default_factory=set)

    def add(self, status: str, n: int = 1) -> None:
        name = {"pass": "passing", "fail": "failing"}.get(status, status)
        setattr(self, name, getattr(self, name) + n)

    @property
    def total(self) -> int:
        return self.passing + self.failing + self.error + self.excepted + self.not_applicable


# Within `reusing_check_counts()`, the per-check and per-control counts are computed once
# per workspace: a page that shows them and scores readiness from them (the dashboard) asks
# three times in one request.
_reused: ContextVar[dict[tuple[str, int], Any] | None] = ContextVar("check_counts", default=None)


@contextmanager
def reusing_check_counts() -> Iterator[None]:
    """Compute each workspace's check counts once inside the block (one page, one request)."""
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def _once(kind: str, workspace: Workspace, compute: Callable[[], Any]) -> Any:
    reused = _reused.get()
    if reused is None:
        return compute()
    key = (kind, workspace.pk)
    if key not in reused:
        reused[key] = compute()
    return reused[key]


def _counts(workspace: Workspace) -> dict[str, StatusCounts]:
    found: dict[str, StatusCounts] = defaultdict(StatusCounts)
    rows = (
        current_results(workspace)
        .order_by()
        .values_list("check_id", "status")
        # COUNT(*), not COUNT(id): the (workspace, check, status) index of current results
        # then answers alone (PostgreSQL: an index-only scan, ~4x faster with 16k results).
        .annotate(n=Count("*"))
    )
    for check_id, status, n in rows:
        found[check_id].add(effective_status(status, False), n)
    excepted = active_exceptions(workspace, timezone.now().date())
    if excepted:
        under = current_results(workspace).filter(
            status__in=(Status.FAIL, Status.EXCEPTED),
            check_id__in={c for c, _k in excepted},
            resource_key__in={k for _c, k in excepted},
        )
        for check_id, key in under.order_by().values_list("check_id", "resource_key"):
            if (check_id, key) in excepted:
                found[check_id].failing -= 1
                found[check_id].excepted += 1
    return dict(found)


def counts_by_check(workspace: Workspace) -> dict[str, StatusCounts]:
    """Effective status counts of the current results, per check id.

    Counted in the database (one grouped query over the current-results index), then moved
    between failing and excepted for the few resources under an exception: the cost follows
    the number of checks and exceptions, not of resources.
    """
    result: dict[str, StatusCounts] = _once("checks", workspace, lambda: _kept(workspace, _counts))
    return result


def control_check_status(workspace: Workspace) -> dict[str, StatusCounts]:
    """Per library control id, the current automated-check results counting towards it.

    The readiness rule uses this as a signal: a control with `failing > 0` (or `error > 0`)
    is not met; `checks` names the checks behind the counts.
    """
    result: dict[str, StatusCounts] = _once(
        "controls", workspace, lambda: _kept(workspace, _control_counts)
    )
    return result


def _kept(workspace: Workspace, compute: Callable[[Workspace], T]) -> T:
    """`compute(workspace)`, kept while the workspace's results are unchanged (a control
    edited does not move them; the dashboard and the readiness rule read them after it)."""
    return datacache.cached(
        ("check-counts", compute.__name__, workspace.pk),
        [workspace.pk],
        lambda: compute(workspace),
        on=LIST_DEPENDS_ON,
    )


def _control_counts(workspace: Workspace) -> dict[str, StatusCounts]:
    per_check = counts_by_check(workspace)
    mappings = mappings_for(workspace, per_check)
    found: dict[str, StatusCounts] = defaultdict(StatusCounts)
    for check_id, counts in per_check.items():
        for control_id in mappings[check_id].controls:
            target = found[control_id]
            for status in ("pass", "fail", "error", "excepted", "not_applicable"):
                name = {"pass": "passing", "fail": "failing"}.get(status, status)
                target.add(status, getattr(counts, name))
            target.checks.add(check_id)
    return dict(found)


def failing_control_refs(workspace: Workspace) -> set[str]:
    """Refs of controls with a failing resource on a check mapped to them."""
    return {ref for ref, counts in control_check_status(workspace).items() if counts.failing}


@dataclass(frozen=True)
class PeriodRow:
    """One check, control or criterion over a period, from the daily roll-ups."""

    key: str
    days_observed: int
    days_failing: int
    days_error: int
    failed: int
    passed: int
    errored: int
    excepted: int
    not_applicable: int


def period_summary(
    workspace: Workspace, level: str, start: dt.date, end: dt.date, keys: list[str] | None = None
) -> list[PeriodRow]:
    """Days failing and result totals per key between `start` and `end` (inclusive)."""
    query = CheckRollup.objects.filter(
        workspace=workspace, level=level, day__gte=start, day__lte=end
    )
    if keys is not None:
        query = query.filter(key__in=keys)
    rows = (
        query.values("key")
        .annotate(
            days_observed=Count("day"),
            days_failing=Count("day", filter=Q(failed__gt=0)),
            days_error=Count("day", filter=Q(errored__gt=0)),
            s_failed=Sum("failed"),
            s_passed=Sum("passed"),
            s_errored=Sum("errored"),
            s_excepted=Sum("excepted"),
            s_na=Sum("not_applicable"),
        )
        .order_by("key")
    )
    return [
        PeriodRow(
            r["key"],
            r["days_observed"],
            r["days_failing"],
            r["days_error"],
            r["s_failed"],
            r["s_passed"],
            r["s_errored"],
            r["s_excepted"],
            r["s_na"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class FailingResource:
    """A resource that failed a check at some time in a period."""

    check_id: str
    resource_key: str
    first_failed: dt.datetime
    last_failed: dt.datetime
    intervals: int


def failing_resources(
    workspace: Workspace, start: dt.date, end: dt.date, check_id: str | None = None
) -> list[FailingResource]:
    """Resources with a failing interval overlapping the period (excepted ones left out)."""
    start_at, end_at = _bounds(start, end)
    query = CheckResult.objects.filter(
        workspace=workspace, status=Status.FAIL, last_seen__gte=start_at, first_seen__lt=end_at
    )
    if check_id is not None:
        query = query.filter(check_id=check_id)
    rows = (
        query.values("check_id", "resource_key")
        .annotate(
            first=Min("first_seen"),
            last=Max("last_seen"),
            n=Count("id"),
        )
        .order_by("check_id", "resource_key")
    )
    return [
        FailingResource(r["check_id"], r["resource_key"], r["first"], r["last"], r["n"])
        for r in rows
    ]


def failing_resource_counts(
    workspace: Workspace, start: dt.date, end: dt.date, level: str = RollupLevel.CHECK
) -> dict[str, int]:
    """How many distinct resources failed at some time in the period, per check (or per
    control or criterion, through the mappings: a resource failing two checks of one control
    counts twice there)."""
    start_at, end_at = _bounds(start, end)
    rows = (
        CheckResult.objects.filter(
            workspace=workspace, status=Status.FAIL, last_seen__gte=start_at, first_seen__lt=end_at
        )
        .values("check_id")
        .annotate(n=Count("resource_key", distinct=True))
        .values_list("check_id", "n")
    )
    per_check = dict(rows)
    if level == RollupLevel.CHECK:
        return per_check
    mappings = mappings_for(workspace, per_check)
    found: dict[str, int] = defaultdict(int)
    for check_id, n in per_check.items():
        mapping = mappings[check_id]
        for key in mapping.controls if level == RollupLevel.CONTROL else mapping.criteria:
            found[key] += n
    return dict(found)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return start_at, end_at


def check_history(workspace: Workspace, check_id: str, days: int = 30) -> list[CheckRollup]:
    """A check's daily roll-ups for the last `days` days, oldest first."""
    since = timezone.now().date() - dt.timedelta(days=days - 1)
    return list(
        CheckRollup.objects.filter(
            workspace=workspace, level=RollupLevel.CHECK, key=check_id, day__gte=since
        ).order_by("day")
    )


def exceptions_for(workspace: Workspace, check_id: str | None = None) -> QuerySet[CheckException]:
    """A workspace's exceptions (granted, expired and revoked), newest first per key."""
    query = CheckException.objects.filter(workspace=workspace).select_related("approver")
    return query.filter(check_id=check_id) if check_id is not None else query


@dataclass(frozen=True)
class Replay:
    """A stored verdict and the verdict re-running its check over the same evidence gives."""

    result: CheckResult
    stored: str
    replayed: str
    detail: str
    missing_hashes: tuple[str, ...]

    @property
    def same(self) -> bool:
        return self.stored == self.replayed


def replay(result: CheckResult, source: EvidenceSource | None = None) -> Replay:
    """Re-run the result's check over the evidence it read, as of the instant last seen."""
    source = source or LedgerSource()
    check = get_registry().get(result.evaluator_id)
    hashes = list(result.evidence_hashes)
    items = source.by_hashes(result.workspace, hashes)
    found = {item.hash for item in items}
    missing = tuple(h for h in hashes if h not in found)
    stored = Status.FAIL.value if result.status == Status.EXCEPTED else result.status
    if missing or not items:
        return Replay(result, stored, Status.ERROR.value, "evidence no longer available", missing)
    evaluation = evaluate_check(check, items, Context(now=result.last_seen))
    # A result read from several items (one resource met through two kinds) kept the worst.
    statuses = [s or Status.ERROR for s in evaluation.statuses]
    worst = max(range(len(statuses)), key=lambda i: STATUS_RANK[statuses[i]])
    return Replay(result, stored, statuses[worst].value, evaluation.details.get(worst, ""), ())


def describe_mapping(workspace: Workspace, check_id: str) -> dict[str, Any]:
    """The controls and criteria a check's results count towards, for display."""
    mapping = mappings_for(workspace, [check_id])[check_id]
    return {"controls": list(mapping.controls), "criteria": list(mapping.criteria)}
