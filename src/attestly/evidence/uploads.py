"""Checking an uploaded file before it becomes evidence: size, type from content, name, zips.

The type is sniffed from the first bytes, never taken from the name or the client's header.
Executables are refused. A zip (including docx/xlsx/pptx) is opened read-only and refused
when it would expand past `ZIP_MAX_EXPANDED` bytes or a ratio of `ZIP_MAX_RATIO`.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from attestly.evidence.blobs import BlobTooLarge, StagedFile, get_blob_store, stage_chunks
from attestly.evidence.ledger import StoredBlob

ZIP_MAX_RATIO = 100
ZIP_MAX_EXPANDED = 1024 * 1024 * 1024
ZIP_MAX_ENTRIES = 10_000

_EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"#!", "a script with an interpreter line"),
)
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1f\x8b", "application/gzip"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
)
_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class UploadRejected(Exception):
    """The upload was refused and nothing was stored; the message says why."""


@dataclass(frozen=True)
class AcceptedUpload:
    """A checked file, in the blob store, with its staging copy kept until `discard`."""

    blob: StoredBlob
    filename: str
    staged: StagedFile

    def discard(self) -> None:
        self.staged.discard()


def clean_filename(name: str) -> str:
    """A safe display name: no directories, control characters or odd symbols; <= 150 chars."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w.\- ()+,]", "_", name).strip(" ._")
    name = re.sub(r"\s+", " ", name)
    if not name:
        return "upload"
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:150]
    return name


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed head is still text.
        return exc.start >= len(head) - 3
    return True


def sniff(head: bytes) -> str:
    """The media type of a file from its first bytes. Raises UploadRejected for executables."""
    for magic, what in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise UploadRejected(f"the file is {what}; executables are not accepted as evidence")
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if _looks_like_text(head):
        stripped = head.lstrip()
        if stripped[:1] in (b"{", b"["):
            return "application/json"
        if stripped[:5].lower() in (b"<?xml", b"<html", b"<!doc"):
            return "text/xml" if stripped[:5].lower() == b"<?xml" else "text/html"
        return "text/plain"
    return "application/octet-stream"


def inspect_zip(staged: StagedFile) -> str:
    """Refuse zip bombs and broken zips; name an Office document's real type."""
    try:
        with zipfile.ZipFile(staged.path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRejected(f"the zip file is damaged or truncated ({exc})") from exc
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UploadRejected(f"the zip holds {len(entries)} entries (limit {ZIP_MAX_ENTRIES})")
    expanded = sum(e.file_size for e in entries)
    if expanded > ZIP_MAX_EXPANDED or expanded > ZIP_MAX_RATIO * max(staged.size, 1):
        raise UploadRejected(
            f"the zip would expand to {expanded} bytes from {staged.size} "
            f"(limit {ZIP_MAX_EXPANDED} bytes, ratio {ZIP_MAX_RATIO}:1): refused as a zip bomb"
        )
    names = [e.filename for e in entries]
    for prefix, media_type in _OFFICE.items():
        if "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names):
            return media_type
    return "application/zip"


def accept_upload(
    chunks: Iterable[bytes], filename: str, *, max_bytes: int | None = None
) -> AcceptedUpload:
    """Stream, hash, check and store one file in the blob store. Raises UploadRejected.

    The staging copy is kept (call `discard`) so the caller can put the file back should a
    concurrent tombstone of the same content delete it before the new item commits."""
    limit = max_bytes if max_bytes is not None else settings.OPTIONS.evidence_upload_max_bytes
    try:
        staged = stage_chunks(chunks, max_bytes=limit)
    except BlobTooLarge as exc:
        raise UploadRejected(str(exc)) from None
    try:
        if staged.size == 0:
            raise UploadRejected("the file is empty")
        media_type = sniff(staged.head)
        if media_type == "application/zip":
            media_type = inspect_zip(staged)
    except BaseException:
        staged.discard()
        raise
    try:
        get_blob_store().put_path(staged.digest, staged.path, keep=True)
    except BaseException:
        staged.discard()
        raise
    return AcceptedUpload(
        StoredBlob(staged.digest, staged.size, media_type), clean_filename(filename), staged
    )
