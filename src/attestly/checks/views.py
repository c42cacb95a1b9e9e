"""Check pages: the list with current counts, and one check with its failing resources,
exceptions, daily history and remediation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from attestly.checks.models import CheckResult
from attestly.checks.queries import (
    LIST_DEPENDS_ON,
    StatusCounts,
    check_history,
    counts_by_check,
    current_with_status,
    describe_mapping,
    exceptions_for,
)
from attestly.checks.registry import get_registry
from attestly.web.access import requires
from attestly.web.fragments import cached_fragment


@requires("check.read")
@login_required
def check_list(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    # `?status=failing`: only checks with a failing resource now (the dashboard's number).
    status = request.GET.get("status", "")
    # The tables are the workspace's data alone: kept while it is unchanged (web.fragments).
    tables = cached_fragment(
        request,
        workspace,
        "checks/_check_tables.html",
        lambda: _tables(workspace, status),
        on=LIST_DEPENDS_ON,
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(tables)
    return render(request, "checks/check_list.html", {"tables": tables, "status": status})


def _tables(workspace: Any, status: str) -> dict[str, Any]:
    counts = counts_by_check(workspace) if workspace is not None else {}
    failing_only = status == "failing"
    registry = get_registry()
    rows = [
        {
            "id": c.id,
            "title": c.meta.title,
            "severity": c.meta.severity.value,
            "declarative": c.declarative,
            "controls": c.controls,
            "counts": counts.get(c.id),
        }
        for c in registry
        if c.scheduled and (not failing_only or _failing(counts.get(c.id)))
    ]
    imported = [
        {"id": check_id, "counts": n}
        for check_id, n in sorted(counts.items())
        if check_id not in registry and (not failing_only or n.failing)
    ]
    return {"rows": rows, "imported": imported, "status": status}


def _failing(counts: StatusCounts | None) -> bool:
    return counts is not None and counts.failing > 0


@requires("check.read")
@login_required
def check_detail(request: HttpRequest, check_id: str) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    registry = get_registry()
    check = registry.get(check_id) if check_id in registry else None
    if workspace is None or (
        check is None
        and not CheckResult.objects.filter(workspace=workspace, check_id=check_id).exists()
    ):
        raise Http404("No such check.")
    current = current_with_status(workspace, check_id)
    history = check_history(workspace, check_id, days=30)
    peak = (
        max(
            (r.passed + r.failed + r.errored + r.excepted + r.not_applicable for r in history),
            default=0,
        )
        or 1
    )
    intervals = CheckResult.objects.filter(workspace=workspace, check_id=check_id).order_by(
        "-last_seen"
    )[:50]
    context = {
        "check": check,
        "check_id": check_id,
        "mapping": describe_mapping(workspace, check_id),
        "failing": [(r, s) for r, s in current if s in ("fail", "error")],
        "others": [(r, s) for r, s in current if s not in ("fail", "error")],
        "history": [
            (r, round(100 * r.failed / peak), round(100 * r.passed / peak)) for r in history
        ],
        "intervals": intervals,
        "exceptions": [
            (e, e.is_active(timezone.now().date()))
            for e in exceptions_for(workspace, check_id)[:50]
        ],
    }
    return render(request, "checks/check_detail.html", context)
