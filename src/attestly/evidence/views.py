"""Evidence pages: the browser (filters, a verification badge per item), detail, upload."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from attestly.evidence.actions import do_upload_evidence
from attestly.evidence.blobs import get_blob_store, hash_blob
from attestly.evidence.forms import EvidenceUploadForm
from attestly.evidence.hashing import GENESIS
from attestly.evidence.models import EvidenceItem, Source, Storage
from attestly.evidence.queries import can_upload
from attestly.evidence.uploads import UploadRejected
from attestly.evidence.utils import download_response
from attestly.evidence.verify import _FIELDS, check_item_row

PAGE_SIZE = 50


def _badge(item: EvidenceItem, prev_hash: str | None, *, rehash_blob: bool) -> dict[str, Any]:
    """Verify one item: its chain hash and link, its content, and its blob."""
    if item.is_tombstoned:
        return {"state": "tombstoned", "label": "content removed", "problems": []}
    row = {name: getattr(item, "pk" if name == "pk" else name) for name in _FIELDS}
    problems = check_item_row(row, prev_hash)
    if item.storage == Storage.BLOB:
        store = get_blob_store()
        if rehash_blob:
            actual = hash_blob(store, item.content_hash)
            if actual != item.content_hash:
                problems.append("blob missing" if actual is None else "blob changed")
        elif not store.exists(item.content_hash):
            problems.append("blob missing")
    if problems:
        return {"state": "broken", "label": "broken", "problems": problems}
    return {"state": "verified", "label": "verified", "problems": []}


def _previous_hashes(items: list[EvidenceItem]) -> dict[tuple[int, int], str]:
    wanted = {(i.workspace_id, i.seq - 1) for i in items if i.seq > 1}
    if not wanted:
        return {}
    rows = EvidenceItem.objects.filter(
        workspace_id__in={w for w, _s in wanted}, seq__in={s for _w, s in wanted}
    ).values_list("workspace_id", "seq", "chain_hash")
    return {(w, s): h for w, s, h in rows}


@login_required
def evidence_list(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    kind = request.GET.get("kind", "").strip()[:100]
    source = request.GET.get("source", "").strip()
    query = request.GET.get("q", "").strip()[:200]
    items = EvidenceItem.objects.none()
    kinds: list[str] = []
    if workspace is not None:
        items = EvidenceItem.objects.in_workspace(workspace).order_by("-seq")
        every_kind = EvidenceItem.objects.in_workspace(workspace).order_by("kind")
        kinds = list(every_kind.values_list("kind", flat=True).distinct()[:200])
        if kind:
            items = items.filter(kind=kind)
        if source in Source.values:
            items = items.filter(source=source)
        if query:
            items = items.filter(resource_key__icontains=query) | items.filter(
                filename__icontains=query)  # fmt: skip
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    page_items = list(page.object_list)
    prev = _previous_hashes(page_items)
    rows = [
        (item, _badge(item, prev.get((item.workspace_id, item.seq - 1)) if item.seq > 1
                      else GENESIS, rehash_blob=False))
        for item in page_items
    ]  # fmt: skip
    context = {
        "rows": rows, "page": page, "kinds": kinds, "kind": kind, "source": source,
        "query": query, "sources": Source.choices,
        "may_upload": workspace is not None and can_upload(request.user, workspace.pk),
    }  # fmt: skip
    template = "evidence/_items_table.html" if request.htmx else "evidence/item_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


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
    context = {"item": item, "badge": _badge(item, prev, rehash_blob=True), "content": content}
    return render(request, "evidence/item_detail.html", context)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    item = get_object_or_404(EvidenceItem.objects.visible_to(request.user), pk=pk)
    if item.is_tombstoned:
        raise Http404("This item's content was removed.")
    return download_response(item)


@login_required
def evidence_upload(request: HttpRequest) -> HttpResponse:
    workspace = getattr(request, "workspace", None)
    if workspace is None or not can_upload(request.user, workspace.pk):
        raise Http404("You cannot add evidence to this workspace.")
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
