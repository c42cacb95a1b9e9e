"""Evidence pages: the browser (filters, a verification badge per item), detail, upload."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from attestly.core.permissions import role_allows
from attestly.evidence.actions import do_upload_evidence
from attestly.evidence.forms import EvidenceUploadForm
from attestly.evidence.hashing import GENESIS
from attestly.evidence.models import EvidenceItem, Source
from attestly.evidence.queries import LIST_DEPENDS_ON, can_upload
from attestly.evidence.uploads import UploadRejected
from attestly.evidence.utils import download_response, spool_uploads_to_disk
from attestly.evidence.verify import badges_for, item_badge
from attestly.web.access import requires
from attestly.web.fragments import cached_fragment

PAGE_SIZE = 50


@requires("evidence.read")
@login_required
def evidence_list(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    kind = request.GET.get("kind", "").strip()[:100]
    source = request.GET.get("source", "").strip()
    query = request.GET.get("q", "").strip()[:200]
    stale = request.GET.get("stale", "") == "1"

    def filters_context() -> dict[str, Any]:
        kinds: list[str] = []
        if workspace is not None:
            every_kind = EvidenceItem.objects.in_workspace(workspace).order_by("kind")
            kinds = list(every_kind.values_list("kind", flat=True).distinct()[:200])
        return {
            "kinds": kinds, "kind": kind, "source": source, "query": query,
            "sources": Source.choices, "stale": stale,
        }  # fmt: skip

    def table_context() -> dict[str, Any]:
        items = EvidenceItem.objects.none()
        if workspace is not None:
            items = EvidenceItem.objects.in_workspace(workspace).order_by("-seq")
            if kind:
                items = items.filter(kind=kind)
            if source in Source.values:
                items = items.filter(source=source)
            if stale:
                from attestly.evidence.queries import is_stale

                items = items.filter(is_stale([workspace.pk]))
            if query:
                items = items.filter(resource_key__icontains=query) | items.filter(
                    filename__icontains=query)  # fmt: skip
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        page_items = list(page.object_list)
        badges = badges_for(page_items)
        rows = [(item, badges[item.pk]) for item in page_items]
        return {"rows": rows, "page": page, "kind": kind, "source": source, "query": query}

    # The table is the workspace's data alone: kept while it is unchanged (web.fragments).
    table = cached_fragment(
        request, workspace, "evidence/_items_table.html", table_context, on=LIST_DEPENDS_ON
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(table)
    # The filters: the kinds in the ledger and the query (web.fragments).
    filters = cached_fragment(
        request, workspace, "evidence/_filters.html", filters_context, on=LIST_DEPENDS_ON
    )
    role = getattr(request, "workspace_role", None)  # set by the page permission middleware
    context = {
        "table": table,
        "filters": filters,
        "may_upload": workspace is not None and role_allows(role, "evidence.upload"),
    }
    return render(request, "evidence/item_list.html", context)


@requires("evidence.read")
@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(EvidenceItem.objects.visible_to(request.user), pk=pk)
    prev: str | None = GENESIS
    if item.seq > 1:
        before = EvidenceItem.objects.filter(workspace_id=item.workspace_id, seq=item.seq - 1)
        prev = before.values_list("chain_hash", flat=True).first()
    content = None
    if item.content is not None:
        content = json.dumps(json.loads(bytes(item.content)), indent=2, ensure_ascii=False)
    context = {"item": item, "badge": item_badge(item, prev, rehash_blob=True), "content": content}
    return render(request, "evidence/item_detail.html", context)


@requires("evidence.read")
@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    item = get_object_or_404(EvidenceItem.objects.visible_to(request.user), pk=pk)
    if item.is_tombstoned:
        raise Http404("This item's content was removed.")
    return download_response(item)


@requires("evidence.upload")
@login_required
def evidence_upload(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    if workspace is None or not can_upload(request.user, workspace.pk):
        raise Http404("You cannot add evidence to this workspace.")
    limit = settings.OPTIONS.evidence_upload_max_bytes
    if request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > limit + 65536:
        # Refused before Django reads the body, so an oversized file is never spooled.
        context = {
            "form": EvidenceUploadForm(),
            "workspace": workspace,
            "refusal": f"The file is larger than the limit of {limit} bytes.",
        }
        return render(request, "evidence/upload.html", context, status=413)
    if request.method == "POST":
        spool_uploads_to_disk(request)
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            item = do_upload_evidence(
                actor=request.user,  # type: ignore[arg-type]
                workspace=workspace, chunks=upload.chunks(), filename=upload.name or "upload",
                effective_from=form.cleaned_data["effective_from"],
                effective_to=form.cleaned_data["effective_to"],
                control_refs=form.cleaned_data["control_refs"],
            )  # fmt: skip
        except (UploadRejected, ValidationError) as exc:
            form.add_error("file", f"Upload refused: {exc}")
        else:
            messages.success(request, f"Stored {item.filename} as evidence #{item.seq}.")
            return redirect("evidence:detail", pk=item.pk)
    return render(request, "evidence/upload.html", {"form": form, "workspace": workspace})
