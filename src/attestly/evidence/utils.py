"""Helpers shared by the evidence API and pages."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse

from attestly.evidence.blobs import get_blob_store
from attestly.evidence.models import EvidenceItem, Storage


def download_name(item: EvidenceItem) -> str:
    if item.filename:
        return item.filename
    return f"evidence-{item.seq}-{item.content_hash[:12]}.json"


def download_response(item: EvidenceItem) -> HttpResponse | FileResponse:
    """Stream an item's content as an attachment (never rendered inline)."""
    response: HttpResponse | FileResponse
    if item.storage == Storage.DB:
        response = HttpResponse(bytes(item.content or b""), content_type=item.media_type)
        response["Content-Disposition"] = f'attachment; filename="{download_name(item)}"'
    else:
        try:
            fh = get_blob_store().open(item.content_hash)
        except FileNotFoundError:
            return HttpResponse("The evidence file is missing from the blob store.", status=404)
        response = FileResponse(fh, as_attachment=True, filename=download_name(item),
                                content_type=item.media_type)  # fmt: skip
    response["X-Evidence-SHA256"] = item.content_hash
    return response
