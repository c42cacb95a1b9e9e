"""Pages: the control library, the workspace's controls, a control, and the mapping view.

Every workspace page reads `request.workspace` (set by core.middleware) and nothing else;
writes go through `attestly.controls.actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from attestly.api.workspaces import acting_user
from attestly.controls.actions import do_add_library_control, do_update_control
from attestly.controls.models import Control, ImplementationStatus
from attestly.controls.queries import (
    LIST_DEPENDS_ON,
    attach_mappings,
    crosswalk,
    list_controls,
    list_library_controls,
    maps_by_framework,
)
from attestly.core.models import Membership, Workspace
from attestly.core.scoping import can_edit_workspace
from attestly.frameworks.models import Category, Criterion, Framework, LibraryControl
from attestly.web.access import requires
from attestly.web.fragments import cached_fragment


def _workspace(request: HttpRequest) -> Workspace | None:
    return getattr(request, "workspace", None)


def _is_htmx(request: HttpRequest) -> bool:
    """An htmx swap wants a fragment; a history restore (back button) wants the whole page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    """One page of a list (`?page=N`); out-of-range pages show the last one."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _page_query(request: HttpRequest) -> str:
    """The current filters as a query string, without `page`, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _criterion_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    field = "key" if ":" in value else "ref"
    return qs.filter(**{f"mappings__criterion__{field}": value})


def _filter_options() -> dict[str, Any]:
    soc2 = Framework.objects.filter(slug="soc2").first()
    return {
        "frameworks": Framework.objects.order_by("slug"),
        "categories": Category.objects.select_related("framework").order_by(
            "framework__slug", "position"
        ),
        "soc2_criteria": Criterion.objects.filter(framework=soc2).order_by("position"),
    }


@requires("catalog.read")
@login_required
def library_list(request: HttpRequest) -> HttpResponse:
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("framework", "criterion", "category", "family", "q")
    }
    controls = list_library_controls()
    if params["framework"]:
        controls = controls.filter(mappings__criterion__framework__slug=params["framework"])
    if params["criterion"]:
        controls = _criterion_filter(controls, params["criterion"])
    if params["category"]:
        controls = controls.filter(mappings__criterion__category__slug=params["category"])
    if params["family"]:
        controls = controls.filter(family=params["family"])
    if params["q"]:
        controls = controls.filter(title__icontains=params["q"][:200])
    page = _page(request, controls.distinct())
    rows = [(c, maps_by_framework(c.mappings.all())) for c in page]
    context = {
        "page": page,
        "page_query": _page_query(request),
        "rows": rows,
        "params": params,
        "families": LibraryControl.objects.order_by("family")
        .values_list("family", flat=True)
        .distinct(),
        **_filter_options(),
    }
    template = "controls/_library_table.html" if _is_htmx(request) else "controls/library.html"
    return render(request, template, context)


@requires("catalog.read")
@login_required
def library_detail(request: HttpRequest, ref: str) -> HttpResponse:
    control = get_object_or_404(list_library_controls(), ref=ref)
    workspace = _workspace(request)
    adopted = (
        Control.objects.filter(workspace=workspace, library_control=control).first()
        if workspace is not None
        else None
    )
    return render(
        request,
        "controls/library_detail.html",
        {
            "control": control,
            "maps": maps_by_framework(control.mappings.all()),
            "adopted": adopted,
            "can_edit": workspace is not None and can_edit_workspace(request.user, workspace),
        },
    )


@requires("control.write")
@login_required
@require_POST
def library_add(request: HttpRequest, ref: str) -> HttpResponse:
    """Add a library control to the current workspace, then show it."""
    workspace = _workspace(request)
    library_control = get_object_or_404(LibraryControl, ref=ref)
    if workspace is None or not can_edit_workspace(request.user, workspace):
        raise PermissionDenied("Your role does not allow changes in this workspace.")
    try:
        control = do_add_library_control(
            actor=acting_user(request), workspace=workspace, library_control=library_control
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("controls:library-detail", ref=ref)
    messages.success(request, f"{control.ref} added to {workspace.name}.")
    return redirect("controls:detail", ref=control.ref)


@requires("control.read")
@login_required
def control_list(request: HttpRequest) -> HttpResponse:
    workspace = _workspace(request)
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("framework", "criterion", "category", "status", "owner", "checks", "q")
    }
    controls = list_controls(mappings=False).none()
    if workspace is not None:
        controls = list_controls(mappings=False).filter(
            workspace=workspace, retired_at__isnull=True
        )
    if params["framework"]:
        controls = controls.filter(mappings__criterion__framework__slug=params["framework"])
    if params["criterion"]:
        controls = _criterion_filter(controls, params["criterion"])
    if params["category"]:
        controls = controls.filter(mappings__criterion__category__slug=params["category"])
    if params["status"] in ImplementationStatus.values:
        controls = controls.filter(status=params["status"])
    if params["owner"] == "-":
        controls = controls.filter(owner__isnull=True)
    elif params["owner"]:
        controls = controls.filter(owner__username=params["owner"])
    if params["checks"] == "failing" and workspace is not None:
        from attestly.checks.queries import failing_control_refs

        controls = controls.filter(ref__in=failing_control_refs(workspace))
    if params["q"]:
        controls = controls.filter(title__icontains=params["q"][:200])

    def table_context() -> dict[str, Any]:
        page = _page(request, controls.distinct())
        shown = list(page)
        attach_mappings(shown)
        rows = [(c, maps_by_framework(c.mapped)) for c in shown]
        return {"page": page, "page_query": _page_query(request), "rows": rows}

    # The table is the workspace's data alone: kept while it is unchanged (web.fragments).
    table = cached_fragment(
        request, workspace, "controls/_control_table.html", table_context, on=LIST_DEPENDS_ON
    )
    if _is_htmx(request):
        return HttpResponse(table)

    def filters_context() -> dict[str, Any]:
        members = Membership.objects.filter(workspace=workspace).select_related("user")
        return {
            "params": params,
            "members": list(members.order_by("user__username")),
            "statuses": ImplementationStatus.choices,
            **_filter_options(),
        }

    # The filters are the catalog and the workspace's members (the owner choice).
    filters = cached_fragment(
        request, workspace, "controls/_list_filters.html", filters_context, on=("core",)
    )
    return render(request, "controls/list.html", {"table": table, "filters": filters})


def _control_or_404(request: HttpRequest, ref: str) -> Control:
    workspace = _workspace(request)
    if workspace is None:
        raise PermissionDenied("Pick a workspace first.")
    return get_object_or_404(list_controls(), workspace=workspace, ref=ref)


def _edit_context(request: HttpRequest, control: Control, error: str = "") -> dict[str, Any]:
    return {
        "control": control,
        "members": Membership.objects.filter(workspace=control.workspace)
        .select_related("user")
        .order_by("user__username"),
        "statuses": ImplementationStatus.choices,
        "can_edit": can_edit_workspace(request.user, control.workspace),
        "error": error,
    }


@requires("control.read")
@login_required
def control_detail(request: HttpRequest, ref: str) -> HttpResponse:
    control = _control_or_404(request, ref)
    return render(
        request,
        "controls/detail.html",
        {
            **_edit_context(request, control),
            "maps": maps_by_framework(control.mappings.all()),
        },
    )


@requires("control.write")
@login_required
@require_POST
def control_edit(request: HttpRequest, ref: str) -> HttpResponse:
    """Inline owner and status change (HTMX posts here; CSRF header set by the layout)."""
    control = _control_or_404(request, ref)
    if not can_edit_workspace(request.user, control.workspace):
        raise PermissionDenied("Your role does not allow changes in this workspace.")
    changes: dict[str, Any] = {}
    error = ""
    if "owner" in request.POST:
        username = request.POST["owner"]
        member = (
            Membership.objects.filter(workspace=control.workspace, user__username=username)
            .select_related("user")
            .first()
        )
        if username and member is None:
            error = f"{username} is not a member of this workspace."
        changes["owner"] = member.user if member else None
    if "status" in request.POST:
        changes["status"] = request.POST["status"]
        changes["na_reason"] = request.POST.get("na_reason", "")
    if not error:
        try:
            do_update_control(actor=acting_user(request), control=control, **changes)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            control.refresh_from_db()
    if _is_htmx(request):
        # htmx swaps only 2xx answers, so a refused change comes back as 200 with its message.
        return render(request, "controls/_edit_form.html", _edit_context(request, control, error))
    if not error:
        return redirect("controls:detail", ref=control.ref)
    return render(
        request,
        "controls/detail.html",
        {
            **_edit_context(request, control, error),
            "maps": maps_by_framework(control.mappings.all()),
        },
        status=400,
    )


@requires("catalog.read")
@login_required
def mapping_view(request: HttpRequest) -> HttpResponse:
    """Pick a criterion (SOC 2 by default); see its counterparts through shared controls."""
    key = request.GET.get("criterion", "").strip() or "soc2:CC6.1"
    source = "workspace" if request.GET.get("source") == "workspace" else "library"
    workspace = _workspace(request) if source == "workspace" else None
    criterion = get_object_or_404(
        Criterion.objects.select_related("framework", "category"), key=key
    )
    grouped = crosswalk(criterion, workspace=workspace)
    return render(
        request,
        "controls/mappings.html",
        {
            "criterion": criterion,
            "grouped": grouped,
            "source": source,
            "soc2_criteria": Criterion.objects.filter(framework__slug="soc2").order_by("position"),
        },
    )
