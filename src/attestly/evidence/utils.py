"""Helpers shared by the evidence API and pages."""

from __future__ import annotations

import contextlib

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse, HttpRequest, HttpResponse

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


def spool_uploads_to_disk(request: HttpRequest) -> None:
    """Make Django write every uploaded file to a temporary file, never to memory.

    Django keeps uploads under 2.5 MB in memory by default; evidence uploads are then read
    from disk in chunks while hashed. Too late once the body was parsed: then nothing changes.
    """
    with contextlib.suppress(AttributeError):
        request.upload_handlers = [TemporaryFileUploadHandler(request)]
