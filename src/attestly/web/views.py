"""Shell pages: home, workspace switcher, and the framework explorer."""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from attestly.core.middleware import SESSION_KEY, workspaces_for
from attestly.frameworks.api.views import search_criteria
from attestly.frameworks.models import (
    Criterion,
    Framework,
    LibraryControlMapping,
    PointOfFocus,
)
from attestly.frameworks.queries import list_criteria, list_frameworks
from attestly.web.access import account_page, public, requires
from attestly.web.context import layout
from attestly.web.dashboard import DASHBOARD_DEPENDS_ON, dashboard_context
from attestly.web.fragments import cached_fragment


@account_page
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for those who may read controls; employees go to their account page."""
    if getattr(request, "workspace", None) is None:
        return render(request, "web/dashboard.html", {"workspace": None})
    if "control.read" in layout(request)["allowed_actions"]:
        return dashboard(request)
    return redirect("accounts:mfa")


@requires("control.read")
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    # The body is the workspace's figures alone (no form, no viewer's name): kept while the
    # workspace's data is unchanged (web.fragments); the layout around it is rendered each time.
    body = cached_fragment(
        request,
        workspace,
        "web/_dashboard_body.html",
        lambda: {"workspace": workspace, **(dashboard_context(workspace) if workspace else {})},
        on=DASHBOARD_DEPENDS_ON,
    )
    return render(request, "web/dashboard.html", {"workspace": workspace, "body": body})


@account_page
@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    slug = request.POST.get("workspace", "")
    chosen = next((w for w in workspaces_for(request) if w.slug == slug), None)
    if chosen is None:
        raise Http404("No such workspace.")
    request.session[SESSION_KEY] = chosen.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target or "/")


@requires("catalog.read")
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/framework_list.html", {"frameworks": list_frameworks()})


@requires("catalog.read")
def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_object_or_404(Framework, slug=slug)
    query = request.GET.get("q", "")
    category = request.GET.get("category", "")
    criteria = list_criteria().filter(framework=framework)
    if category:
        criteria = criteria.filter(category__slug=category)
    criteria = search_criteria(criteria, query)
    context = {
        "framework": framework,
        "categories": framework.categories.all(),
        "criteria": criteria,
        "query": query,
        "category": category,
    }
    template = "web/_criteria_table.html" if request.htmx else "web/framework_detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@requires("catalog.read")
def criterion_detail(request: HttpRequest, key: str) -> HttpResponse:
    criterion = get_object_or_404(
        Criterion.objects.select_related("framework", "group", "category").prefetch_related(
            Prefetch("points_of_focus", queryset=PointOfFocus.objects.order_by("position"))
        ),
        key=key,
    )
    library = (
        LibraryControlMapping.objects.filter(criterion=criterion)
        .select_related("control")
        .order_by("control__position")
    )
    return render(
        request, "web/criterion_detail.html", {"criterion": criterion, "library": library}
    )


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
