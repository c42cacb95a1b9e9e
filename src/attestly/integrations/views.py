"""Integration pages: the catalogue, the generated connect form, a connection's page (runs,
counts, errors, next run, its checks with failing resources) and its HTMX test button."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from attestly.checks.queries import counts_by_check
from attestly.checks.registry import get_registry as get_check_registry
from attestly.core.models import Membership, Role
from attestly.integrations import background
from attestly.integrations.actions import (
    do_create_connection,
    do_start_collection_run,
    do_update_connection,
)
from attestly.integrations.collection import checks_for
from attestly.integrations.forms import connection_form
from attestly.integrations.models import Connection, RunStatus
from attestly.integrations.queries import (
    CONNECTION_STATES,
    LIST_DEPENDS_ON,
    filter_connection_state,
)
from attestly.integrations.registry import get_registry
from attestly.integrations.tasks import test_connection
from attestly.web.access import requires
from attestly.web.fragments import cached_fragment

WRITERS = (Role.OWNER, Role.ADMIN, Role.EDITOR)


def _may_write(request: HttpRequest, workspace_id: int) -> bool:
    if not request.user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=request.user.pk, workspace_id=workspace_id, role__in=WRITERS
    ).exists()


@requires("integration.read")
@login_required
def integration_list(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    state = request.GET.get("state", "")

    def connections() -> dict[str, Any]:
        if workspace is None:
            return {"connections": [], "state": state}
        found = filter_connection_state(Connection.objects.in_workspace(workspace), state)
        return {"connections": found.order_by("name"), "state": state}

    def catalogue() -> dict[str, Any]:
        checks = get_check_registry()
        return {"rows": [(i, len(checks_for(i, checks))) for i in get_registry()]}

    # Both are the workspace's data (or the installation's) alone (web.fragments).
    table = cached_fragment(
        request, workspace, "integrations/_connection_table.html", connections, on=LIST_DEPENDS_ON
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(table)
    context = {
        "table": table,
        "catalogue": cached_fragment(
            request, workspace, "integrations/_catalogue.html", catalogue, on=()
        ),
        "state": state,
        "states": CONNECTION_STATES,
    }
    return render(request, "integrations/integration_list.html", context)


@requires("integration.write")
@login_required
def connect(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    registry = get_registry()
    if slug not in registry or workspace is None or not _may_write(request, workspace.pk):
        raise Http404("No such integration, or you cannot connect systems here.")
    integration = registry.get(slug)
    form = connection_form(integration, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = do_create_connection(
                actor=request.user,  # type: ignore[arg-type]
                workspace=workspace,
                integration=slug,
                name=form.cleaned_data["name"],
                config=form.config_values(),
                schedule=form.cleaned_data["schedule"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("integrations:connection", pk=connection.pk)
    return render(request, "integrations/connect.html", {"integration": integration, "form": form})


def _visible(request: HttpRequest, pk: int) -> Connection:
    return get_object_or_404(Connection.objects.visible_to(request.user), pk=pk)


@requires("integration.read")
@login_required
def connection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _visible(request, pk)
    registry = get_registry()
    integration = (
        registry.get(connection.integration) if connection.integration in registry else None
    )
    counts = counts_by_check(connection.workspace)
    checks = checks_for(integration, get_check_registry()) if integration else []
    context = {
        "connection": connection,
        "integration": integration,
        "runs": connection.runs.order_by("-started_at", "-pk")[:10],
        "running": connection.runs.filter(status=RunStatus.RUNNING).order_by("-pk").first(),
        "checks": [(c, counts.get(c.id)) for c in checks],
        "may_write": _may_write(request, connection.workspace_id),
    }
    return render(request, "integrations/connection_detail.html", context)


@requires("integration.write")
@login_required
@require_POST
def connection_test(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _visible(request, pk)
    if not _may_write(request, connection.workspace_id):
        raise Http404("You cannot test connections here.")
    result = test_connection(connection)
    return render(request, "integrations/_test_result.html", {"result": result})


@requires("integration.write")
@login_required
@require_POST
def connection_collect(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a collection now and carry it out beside this request; the answer polls it.

    A run of this connection already under way is followed instead of starting another.
    Without JavaScript the form posts here and comes back to the connection page.
    """
    connection = _visible(request, pk)
    if not _may_write(request, connection.workspace_id):
        raise Http404("You cannot collect connections here.")
    run = connection.runs.filter(status=RunStatus.RUNNING).order_by("-pk").first()
    if run is None:
        run = do_start_collection_run(
            actor=request.user,  # type: ignore[arg-type]
            connection=connection,
            trigger="manual",
        )
        # After the commit, so the worker's own connection sees the run.
        run_id = run.pk
        transaction.on_commit(lambda: background.submit(run_id))
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("integrations:connection", pk=connection.pk)
    return render(
        request, "integrations/_collect_status.html", {"connection": connection, "run": run}
    )


@requires("integration.read")
@login_required
def run_status(request: HttpRequest, pk: int, run_id: int) -> HttpResponse:
    """A run's progress for the page that started it; once finished, the page reloads to show
    the new results."""
    connection = _visible(request, pk)
    run = get_object_or_404(connection.runs, pk=run_id)
    response = render(
        request, "integrations/_collect_status.html", {"connection": connection, "run": run}
    )
    if run.status != RunStatus.RUNNING:
        response["HX-Refresh"] = "true"
    return response


@requires("integration.write")
@login_required
def connection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a connection's settings and schedule; blank secrets keep their stored value."""
    connection = _visible(request, pk)
    registry = get_registry()
    if connection.integration not in registry or not _may_write(request, connection.workspace_id):
        raise Http404("You cannot change this connection.")
    integration = registry.get(connection.integration)
    initial = {**connection.config, "name": connection.name, "schedule": connection.schedule}
    form = connection_form(
        integration,
        editing=True,
        data=request.POST if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_update_connection(
                actor=request.user,  # type: ignore[arg-type]
                connection=connection,
                name=form.cleaned_data["name"],
                config=form.config_values(),
                schedule=form.cleaned_data["schedule"],
                registry=registry,
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("integrations:connection", pk=connection.pk)
    return render(
        request,
        "integrations/connect.html",
        {"integration": integration, "form": form, "connection": connection},
    )
