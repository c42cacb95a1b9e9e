"""The dashboard: the state of compliance in one workspace at a glance.

Every figure is read in a fixed number of queries whatever the amount of data (counts are
aggregated in the database or from one pass over the current check results), and every
figure links to the list behind it.
"""

from __future__ import annotations

from typing import Any

from attestly.checks.queries import (
    counts_by_check,
    failing_control_refs,
    reusing_check_counts,
)
from attestly.checks.registry import get_registry as get_check_registry
from attestly.controls.models import Control
from attestly.core import datacache
from attestly.core.models import Workspace
from attestly.evidence.queries import stale_evidence_count
from attestly.integrations.models import Connection
from attestly.integrations.queries import filter_connection_state
from attestly.readiness.queries import compute_readiness, list_adoptions, score_history
from attestly.readiness.views import CHART_H, CHART_W, HISTORY_DAYS, chart_points, heat_rows

TOP_CHECKS = 5
# The dashboard shows a little of everything in the workspace.
DASHBOARD_DEPENDS_ON: datacache.Depends = (
    datacache.EVERYTHING,
    datacache.RUNS,
    datacache.SNAPSHOTS,
)


def dashboard_context(workspace: Workspace) -> dict[str, Any]:
    """Every figure of the dashboard; the check counts behind several of them are read once.

    The figures depend on the workspace's data alone (no user, no token, no link that depends
    on a role), so they are kept while the workspace's data version is unchanged
    (`attestly.core.datacache`). The caller gets its own dict; the values in it are shared.
    """
    return dict(
        datacache.cached(
            ("dashboard", workspace.pk),
            [workspace.pk],
            lambda: _fresh(workspace),
            on=DASHBOARD_DEPENDS_ON,
        )
    )


def _fresh(workspace: Workspace) -> dict[str, Any]:
    with reusing_check_counts():
        return _context(workspace)


def _context(workspace: Workspace) -> dict[str, Any]:
    adoptions = list(list_adoptions([workspace.pk]))
    frameworks: list[dict[str, Any]] = []
    for adoption in adoptions:
        readiness = compute_readiness(adoption)
        names = {c.slug: c.name for c in readiness.categories}
        frameworks.append(
            {
                "adoption": adoption,
                "readiness": readiness,
                "categories": [
                    (
                        c.slug,
                        names[c.slug],
                        None if c.score is None else round(100 * c.score, 1),
                    )
                    for c in readiness.score.categories
                ],
                "counts": {k.value: v for k, v in readiness.score.counts.items()},
            }
        )
    primary = frameworks[0] if frameworks else None
    history: list[tuple[str, float]] = []
    rows: list[Any] = []
    if primary is not None:
        history = score_history(workspace, primary["adoption"].framework, HISTORY_DAYS)
        rows = heat_rows(primary["readiness"])

    per_check = counts_by_check(workspace)
    registry = get_check_registry()
    failing_checks = sorted(
        (
            (check_id, registry.get(check_id).meta.title if check_id in registry else check_id, c)
            for check_id, c in per_check.items()
            if c.failing
        ),
        key=lambda row: (-row[2].failing, row[0]),
    )
    live = Control.objects.filter(workspace=workspace, retired_at__isnull=True)
    failing_refs = failing_control_refs(workspace)
    connections_in_error = list(
        filter_connection_state(Connection.objects.in_workspace(workspace), "error").order_by(
            "name"
        )
    )
    return {
        "frameworks": frameworks,
        "primary": primary,
        "history": history,
        "points": chart_points(history),
        "chart_w": CHART_W,
        "chart_h": CHART_H,
        "rows": rows,
        "failing_checks": failing_checks[:TOP_CHECKS],
        "failing_check_count": len(failing_checks),
        "failing_resource_count": sum(c.failing for _i, _t, c in failing_checks),
        "failing_control_count": live.filter(ref__in=failing_refs).count() if failing_refs else 0,
        "stale_evidence_count": stale_evidence_count(workspace),
        "unowned_control_count": live.filter(owner__isnull=True).count(),
        "connections_in_error": connections_in_error,
    }
