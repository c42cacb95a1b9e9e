"""Workspace settings and the audit log viewer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from attestly.accounts.forms import WorkspaceSettingsForm
from attestly.core import datacache
from attestly.core.actions import do_rename_workspace, do_set_workspace_mfa
from attestly.core.models import AuditEntry, Workspace
from attestly.web.access import requires
from attestly.web.fragments import cached_fragment

AUDIT_PAGE_SIZE = 50


@requires("settings.manage")
def workspace_settings(request: HttpRequest) -> HttpResponse:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    initial = {"name": workspace.name, "require_mfa": workspace.require_mfa}
    form = WorkspaceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor: Any = request.user
        try:
            with transaction.atomic():
                if form.cleaned_data["name"] != workspace.name:
                    do_rename_workspace(
                        actor=actor, workspace=workspace, name=form.cleaned_data["name"]
                    )
                if form.cleaned_data["require_mfa"] != workspace.require_mfa:
                    do_set_workspace_mfa(
                        actor=actor, workspace=workspace, required=form.cleaned_data["require_mfa"]
                    )
            messages.success(request, "Settings saved.")
            return redirect("core:settings")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/settings.html", {"form": form}, status=status)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@requires("audit.read")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The current workspace's chain, newest first; filters by actor, action and dates."""
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    # Newest first. A workspace's entries are all on its own chain, appended one at a time
    # under the chain's lock, so id order is seq order; by id the index reads them in order.
    entries = AuditEntry.objects.in_workspace(workspace).order_by("-id")
    filters = {
        k: request.GET.get(k, "").strip()[:100] for k in ("actor", "action", "since", "until")
    }
    if filters["actor"]:
        entries = entries.filter(actor_label__icontains=filters["actor"])
    if filters["action"]:
        entries = entries.filter(action__startswith=filters["action"])
    since, until = _date(filters["since"]), _date(filters["until"])
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    query = urlencode({k: v for k, v in filters.items() if v})

    def rows_context() -> dict[str, Any]:
        page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        return {"page": page, "query": query}

    # The rows are the workspace's chain alone: kept while it is unchanged (web.fragments).
    rows = cached_fragment(
        request, workspace, "core/_audit_rows.html", rows_context, on=(datacache.EVERYTHING,)
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(rows)
    return render(request, "core/audit_log.html", {"rows": rows, "filters": filters})
