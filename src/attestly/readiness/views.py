"""The readiness page: framework and category scores, a heat map per criterion, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attestly.readiness.actions import do_refresh_readiness
from attestly.readiness.queries import Readiness, list_adoptions, score_history
from attestly.readiness.scoring import CriterionScore
from attestly.web.access import requires

HISTORY_DAYS = 180
CHART_W, CHART_H = 320, 80


@dataclass(frozen=True)
class Cell:
    ref: str
    key: str
    title: str
    status: str
    percent: int | None
    band: str  # a CSS class: h0 (nothing) … h4 (met), na
    implemented: int
    total: int
    note: str  # why it is not applicable, or what lowered it


def band(score: CriterionScore) -> str:
    """h0 nothing, h1 under half, h2 half or more, h3 three quarters or more, h4 met."""
    if score.score is None:
        return "na"
    if score.score >= 1.0:
        return "h4"
    if score.score <= 0.0:
        return "h0"
    return "h3" if score.score >= 0.75 else "h2" if score.score >= 0.5 else "h1"


def heat_rows(readiness: Readiness) -> list[tuple[str, str, list[Cell]]]:
    """Criteria grouped by their heading (CC1, CC6, A1…), in catalogue order."""
    rows: dict[str, tuple[str, str, list[Cell]]] = {}
    for criterion, score in readiness.criterion_rows():
        group = criterion.group
        done = sum(1 for s in score.controls.values() if s.value == "implemented")
        counted = sum(1 for s in score.controls.values() if s.value != "excluded")
        cell = Cell(
            criterion.ref,
            criterion.key,
            criterion.title,
            score.status.value,
            None if score.score is None else round(100 * score.score),
            band(score),
            done,
            counted,
            readiness.exclusions.get(criterion.pk) or "; ".join(score.reasons),
        )
        rows.setdefault(group.ref, (group.ref, group.name, []))[2].append(cell)
    return list(rows.values())


def chart_points(scores: list[tuple[str, float]]) -> str:
    """SVG polyline points for scores 0-100, spread evenly across the chart."""
    if not scores:
        return ""
    step = CHART_W / max(1, len(scores) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(CHART_H - s * CHART_H / 100, 1)}"
        for i, (_day, s) in enumerate(scores)
    )


@requires("control.read")
@login_required
def readiness_page(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    context: dict[str, Any] = {"workspace": workspace, "adoptions": [], "readiness": None}
    if workspace is not None:
        adoptions = list(list_adoptions([workspace.pk]))
        context["adoptions"] = adoptions
        wanted = request.GET.get("framework", "")
        adoption = next(
            (a for a in adoptions if a.framework.slug == wanted),
            adoptions[0] if adoptions else None,
        )
        if adoption is not None:
            readiness = do_refresh_readiness(actor=None, adoption=adoption)
            history = score_history(workspace, adoption.framework, HISTORY_DAYS)
            names = {c.slug: c.name for c in readiness.categories}
            context.update(
                {
                    "adoption": adoption,
                    "readiness": readiness,
                    "categories": [
                        (
                            names[c.slug],
                            None if c.score is None else round(100 * c.score, 1),
                            c.counts,
                        )
                        for c in readiness.score.categories
                    ],
                    "counts": {k.value: v for k, v in readiness.score.counts.items()},
                    "rows": heat_rows(readiness),
                    "history": history,
                    "points": chart_points(history),
                    "chart_w": CHART_W,
                    "chart_h": CHART_H,
                }
            )
    return render(request, "readiness/page.html", context)
