from __future__ import annotations

import datetime as dt

import pytest

from attestly.checks.actions import do_run_checks
from attestly.checks.models import CheckResult, CheckRollup, RollupLevel
from attestly.checks.queries import (
    failing_resource_counts,
    failing_resources,
    period_summary,
    replay,
)
from attestly.checks.registry import CheckRegistry
from attestly.checks.sources import MemorySource
from attestly.core.models import Workspace
from attestly.testing.factories import EvidenceFactory

pytestmark = pytest.mark.django_db
DAY1 = dt.date(2026, 3, 1)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def run(
    workspace: Workspace, registry: CheckRegistry, when: dt.datetime, states: dict[str, bool]
) -> None:
    items = [EvidenceFactory(key=key, data={"name": key, "ok": ok}) for key, ok in states.items()]
    do_run_checks(
        actor=None, workspace=workspace, now=when, source=MemorySource(items), registry=registry
    )


def counts(workspace: Workspace, level: str, key: str) -> dict[dt.date, tuple[int, ...]]:
    return {
        r.day: (r.passed, r.failed, r.errored, r.not_applicable, r.excepted)
        for r in CheckRollup.objects.filter(workspace=workspace, level=level, key=key)
    }


@pytest.fixture
def three_days(acme: Workspace, demo_registry: CheckRegistry) -> Workspace:
    """r3 fails on day 1; r2 fails at the second run of day 1; all pass on day 2;
    r3's evidence is gone on day 3."""
    run(acme, demo_registry, at(1, 10), {"r1": True, "r2": True, "r3": False})
    run(acme, demo_registry, at(1, 15), {"r1": True, "r2": False, "r3": False})
    run(acme, demo_registry, at(2, 10), {"r1": True, "r2": True, "r3": True})
    run(acme, demo_registry, at(3, 10), {"r1": True, "r2": True})
    return acme


def test_intervals_extend_while_unchanged_and_split_on_change(three_days: Workspace) -> None:
    rows = CheckResult.objects.filter(workspace=three_days, check_id="demo_a").order_by(
        "resource_key", "first_seen"
    )
    assert [(r.resource_key, r.status, r.first_seen, r.last_seen, r.is_current) for r in rows] == [
        ("r1", "pass", at(1, 10), at(3, 10), True),
        ("r2", "pass", at(1, 10), at(1, 10), False),
        ("r2", "fail", at(1, 15), at(1, 15), False),
        ("r2", "pass", at(2, 10), at(3, 10), True),
        ("r3", "fail", at(1, 10), at(1, 15), False),
        ("r3", "pass", at(2, 10), at(2, 10), False),
    ]
    # demo_b passes throughout, yet changed evidence opens a new interval (r2 twice, r3 once)
    rows_b = CheckResult.objects.filter(workspace=three_days, check_id="demo_b")
    assert sorted(rows_b.values_list("resource_key", flat=True)) == [
        "r1",
        "r2",
        "r2",
        "r2",
        "r3",
        "r3",
    ]


def test_daily_rollups_count_the_worst_status_of_each_day(three_days: Workspace) -> None:
    d1, d2, d3 = DAY1, DAY1 + dt.timedelta(days=1), DAY1 + dt.timedelta(days=2)
    # (pass, fail, error, not applicable, excepted)
    assert counts(three_days, RollupLevel.CHECK, "demo_a") == {
        d1: (1, 2, 0, 0, 0),
        d2: (3, 0, 0, 0, 0),
        d3: (2, 0, 0, 0, 0),
    }
    assert counts(three_days, RollupLevel.CHECK, "demo_b") == {
        d1: (3, 0, 0, 0, 0),
        d2: (3, 0, 0, 0, 0),
        d3: (2, 0, 0, 0, 0),
    }
    assert counts(three_days, RollupLevel.CONTROL, "CRY-02") == {
        d1: (1, 2, 0, 0, 0),
        d2: (3, 0, 0, 0, 0),
        d3: (2, 0, 0, 0, 0),
    }
    assert counts(three_days, RollupLevel.CONTROL, "NET-03") == {
        d1: (3, 0, 0, 0, 0),
        d2: (3, 0, 0, 0, 0),
        d3: (2, 0, 0, 0, 0),
    }
    # CC6.1 gathers both checks (demo_a through CRY-02, demo_b directly)
    assert counts(three_days, RollupLevel.CRITERION, "CC6.1") == {
        d1: (4, 2, 0, 0, 0),
        d2: (6, 0, 0, 0, 0),
        d3: (4, 0, 0, 0, 0),
    }
    # CC6.6 and CC7.1 come from NET-03 only
    assert counts(three_days, RollupLevel.CRITERION, "CC6.6") == {
        d1: (3, 0, 0, 0, 0),
        d2: (3, 0, 0, 0, 0),
        d3: (2, 0, 0, 0, 0),
    }


def test_period_summary_and_failing_resources(three_days: Workspace) -> None:
    end = DAY1 + dt.timedelta(days=2)
    summary = {row.key: row for row in period_summary(three_days, "check", DAY1, end)}
    assert (
        summary["demo_a"].days_observed,
        summary["demo_a"].days_failing,
        summary["demo_a"].failed,
        summary["demo_a"].passed,
    ) == (3, 1, 2, 6)
    assert summary["demo_b"].days_failing == 0
    criteria = {row.key: row for row in period_summary(three_days, "criterion", DAY1, end)}
    assert (criteria["CC6.1"].days_failing, criteria["C1.1"].days_failing) == (1, 1)
    failing = failing_resources(three_days, DAY1, end)
    assert [(f.check_id, f.resource_key, f.first_failed, f.last_failed) for f in failing] == [
        ("demo_a", "r2", at(1, 15), at(1, 15)),
        ("demo_a", "r3", at(1, 10), at(1, 15)),
    ]
    assert failing_resources(three_days, DAY1 + dt.timedelta(days=1), end) == []


def test_failing_resource_counts_per_check_control_and_criterion(
    three_days: Workspace, demo_registry: CheckRegistry
) -> None:
    end = DAY1 + dt.timedelta(days=2)
    assert failing_resource_counts(three_days, DAY1, end) == {"demo_a": 2}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("attestly.checks.mapping.get_registry", lambda: demo_registry)
        assert failing_resource_counts(three_days, DAY1, end, "control") == {"CRY-02": 2}
        assert failing_resource_counts(three_days, DAY1, end, "criterion") == {
            "C1.1": 2,
            "CC6.1": 2,
        }
    assert failing_resource_counts(three_days, end, end) == {}


def test_one_resource_met_through_two_kinds_keeps_one_interval(acme: Workspace) -> None:
    from attestly.checks.registry import CheckRegistry
    from attestly.testing.factories import make_check

    registry = CheckRegistry()
    registry.register(make_check("demo_family", kinds=["demo.*"]))
    registry.freeze()
    items = [
        EvidenceFactory(kind="demo.one", key="r1", data={"ok": True}),
        EvidenceFactory(kind="demo.two", key="r1", data={"ok": False}),
    ]
    do_run_checks(
        actor=None, workspace=acme, now=at(1, 10), source=MemorySource(items), registry=registry
    )
    (result,) = CheckResult.objects.filter(workspace=acme)
    assert result.status == "fail"
    assert sorted(result.evidence_hashes) == sorted(i.hash for i in items)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("attestly.checks.queries.get_registry", lambda: registry)
        assert replay(result, MemorySource(items)).same
