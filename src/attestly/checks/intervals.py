"""Turning a run's outcomes into result intervals and daily roll-ups.

Called by the actions inside their transaction; nothing here records audit entries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q

from attestly.checks.mapping import mappings_for
from attestly.checks.models import CheckException, CheckResult, CheckRollup, RollupLevel
from attestly.checks.registry import CheckRegistry
from attestly.checks.types import STATUS_RANK, Outcome, Status
from attestly.core.models import Workspace

CHUNK = 500
_FIELD_OF = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.ERROR: "errored",
    Status.NOT_APPLICABLE: "not_applicable",
    Status.EXCEPTED: "excepted",
}


@dataclass
class IntervalChanges:
    """What a run did to the stored intervals."""

    extended: int = 0
    opened: int = 0
    closed: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def active_exceptions(
    workspace: Workspace, on: dt.date, check_ids: Iterable[str] | None = None
) -> set[tuple[str, str]]:
    """(check id, resource key) pairs with an exception in force on a day."""
    query = CheckException.objects.filter(
        workspace=workspace, revoked_at__isnull=True, expires_on__gte=on
    )
    if check_ids is not None:
        query = query.filter(check_id__in=list(check_ids))
    return set(query.values_list("check_id", "resource_key"))


def merge_duplicates(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """One outcome per (check, resource): a check reading several kinds may meet one resource
    key twice; the worst status wins and the evidence hashes of both are kept."""
    merged: dict[tuple[str, str], Outcome] = {}
    for outcome in outcomes:
        key = (outcome.check_id, outcome.resource_key)
        seen = merged.get(key)
        if seen is None:
            merged[key] = outcome
            continue
        worst = outcome if STATUS_RANK[outcome.status] > STATUS_RANK[seen.status] else seen
        hashes = tuple(sorted(set(seen.evidence_hashes) | set(outcome.evidence_hashes)))
        merged[key] = dataclasses.replace(worst, evidence_hashes=hashes)
    return list(merged.values())


def _insert_intervals(workspace: Workspace, rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """Insert new current intervals with one prepared statement (`executemany`).

    `bulk_create` builds one multi-row INSERT per 90 rows on SQLite (its 999-parameter
    limit) and prepares every field in Python; a first run over millions of resources spends
    most of its time there. Values are adapted by the backend's own operations.
    """
    if not rows:
        return
    ops = connection.ops
    table = connection.ops.quote_name(CheckResult._meta.db_table)
    stamp = ops.adapt_datetimefield_value(now)
    encoder = CheckResult._meta.get_field("evidence_hashes").encoder
    # Only the model's own table name is interpolated; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (workspace_id, check_id, resource_key, kind, status, detail, "  # noqa: S608
        "evidence_hashes, evaluator, first_seen, last_seen, is_current) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(
                sql,
                [
                    (
                        workspace.pk,
                        c,
                        r,
                        k,
                        st,
                        d,
                        ops.adapt_json_value(h, encoder),
                        e,
                        stamp,
                        stamp,
                        True,
                    )
                    for c, r, k, st, d, h, e in rows[start : start + 10_000]
                ],
            )


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def apply_outcomes(
    workspace: Workspace,
    outcomes: Iterable[Outcome],
    check_ids: set[str],
    now: dt.datetime,
    evaluators: dict[str, str],
    extra_criteria: dict[str, set[str]] | None = None,
    registry: CheckRegistry | None = None,
) -> IntervalChanges:
    """Extend, close and open intervals for `check_ids`, then refresh today's roll-ups.

    A current interval of one of `check_ids` that this run did not see is closed: its
    resource (or its evidence) is gone.
    """
    excepted = active_exceptions(workspace, now.date(), check_ids)
    outcomes = merge_duplicates(outcomes)
    current = {
        (check_id, key): (pk, status, tuple(hashes))
        for pk, check_id, key, status, hashes in CheckResult.objects.filter(
            workspace=workspace,
            is_current=True,
            check_id__in=list(check_ids),
        )
        .values_list("pk", "check_id", "resource_key", "status", "evidence_hashes")
        .iterator(chunk_size=5000)
    }
    changes = IntervalChanges()
    extend: list[int] = []
    close: list[int] = []
    new: list[tuple[Any, ...]] = []
    today: dict[tuple[str, str], str] = {}
    for outcome in outcomes:
        key = (outcome.check_id, outcome.resource_key)
        status = outcome.status
        if status == Status.FAIL and key in excepted:
            status = Status.EXCEPTED
        today[key] = status
        changes.counts[status.value] = changes.counts.get(status.value, 0) + 1
        previous = current.pop(key, None)
        if (
            previous is not None
            and previous[1] == status
            and previous[2] == outcome.evidence_hashes
        ):
            extend.append(previous[0])
            continue
        if previous is not None:
            close.append(previous[0])
        new.append(
            (
                outcome.check_id,
                outcome.resource_key,
                outcome.kind,
                status.value,
                outcome.detail,
                list(outcome.evidence_hashes),
                evaluators.get(outcome.check_id, ""),
            )
        )
    close.extend(pk for pk, _status, _hashes in current.values())
    for ids in _chunks(extend):
        CheckResult.objects.filter(pk__in=ids).update(last_seen=now)
    for ids in _chunks(close):
        CheckResult.objects.filter(pk__in=ids).update(is_current=False)
    _insert_intervals(workspace, new, now)
    changes.extended, changes.opened, changes.closed = len(extend), len(new), len(close)
    refresh_rollups(workspace, now, check_ids, today, extra_criteria, registry)
    return changes


def refresh_rollups(
    workspace: Workspace,
    now: dt.datetime,
    check_ids: set[str],
    seen_now: dict[tuple[str, str], str],
    extra_criteria: dict[str, set[str]] | None = None,
    registry: CheckRegistry | None = None,
) -> None:
    """Recount the day of `now` for `check_ids` and their controls and criteria.

    A resource counts once per check per day, with the worst status it had that day: what
    this run saw, and what earlier runs that day saw in intervals since closed.
    """
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    worst = dict(seen_now)
    earlier = CheckResult.objects.filter(
        workspace=workspace,
        check_id__in=list(check_ids),
        is_current=False,
        last_seen__gte=day_start,
        last_seen__lt=day_start + dt.timedelta(days=1),
    ).values_list("check_id", "resource_key", "status")
    for check_id, key, status in earlier:
        pair = (check_id, key)
        if pair not in worst or STATUS_RANK[status] > STATUS_RANK[worst[pair]]:
            worst[pair] = status
    per_check: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (check_id, _key), status in worst.items():
        per_check[check_id][status] += 1
    mappings = mappings_for(workspace, check_ids, extra_criteria, registry)
    rows: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for check_id, counts in per_check.items():
        mapping = mappings[check_id]
        targets = [(RollupLevel.CHECK.value, check_id)]
        targets += [(RollupLevel.CONTROL.value, c) for c in mapping.controls]
        targets += [(RollupLevel.CRITERION.value, c) for c in mapping.criteria]
        for target in targets:
            for status, n in counts.items():
                rows[target][status] += n
    day = day_start.date()
    # Controls and criteria gather several checks: recount them over every check that maps
    # to them, not only this run's, by adding the other checks' stored counts for the day.
    _merge_other_checks(workspace, day, check_ids, rows, extra_criteria, registry)
    CheckRollup.objects.filter(workspace=workspace, day=day).filter(
        Q(level=RollupLevel.CHECK, key__in=list(check_ids))
        | Q(
            level__in=[RollupLevel.CONTROL, RollupLevel.CRITERION],
            key__in=[key for level, key in rows if level != RollupLevel.CHECK],
        )
    ).delete()
    CheckRollup.objects.bulk_create(
        [
            CheckRollup(
                workspace=workspace,
                day=day,
                level=level,
                key=key,
                **{_FIELD_OF[Status(s)]: n for s, n in counts.items()},
            )
            for (level, key), counts in rows.items()
        ],
        batch_size=1000,
    )


def _merge_other_checks(
    workspace: Workspace,
    day: dt.date,
    check_ids: set[str],
    rows: dict[tuple[str, str], dict[str, int]],
    extra_criteria: dict[str, set[str]] | None,
    registry: CheckRegistry | None,
) -> None:
    others = CheckRollup.objects.filter(
        workspace=workspace, day=day, level=RollupLevel.CHECK
    ).exclude(key__in=list(check_ids))
    stored = list(others)
    if not stored:
        return
    touched = {key for level, key in rows if level != RollupLevel.CHECK}
    mappings = mappings_for(workspace, [r.key for r in stored], extra_criteria, registry)
    for row in stored:
        mapping = mappings[row.key]
        for level, keys in (
            (RollupLevel.CONTROL.value, mapping.controls),
            (RollupLevel.CRITERION.value, mapping.criteria),
        ):
            for key in keys:
                if key not in touched:
                    continue
                for status, name in _FIELD_OF.items():
                    value = getattr(row, name)
                    if value:
                        rows[(level, key)][status.value] += value
