"""Content-addressed blob store for evidence files: one object per SHA-256, stored once.

`local` (default) keeps blobs under `<data_dir>/blobs/ab/cd/<hash>`; `s3` keeps them in an
S3-compatible bucket through django-storages. Files are streamed to a staging file while
hashed (never held whole in memory), then moved into place under their hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings

CHUNK = 1024 * 1024


class BlobTooLarge(Exception):
    """A file passed the size limit; nothing was stored."""


class BlobStore(Protocol):
    name: str

    def put_path(self, digest: str, path: Path, *, keep: bool = False) -> None: ...
    def open(self, digest: str) -> IO[bytes]: ...
    def exists(self, digest: str) -> bool: ...
    def delete(self, digest: str) -> None: ...


@dataclass(frozen=True)
class StagedFile:
    """A file streamed to local staging: its path, SHA-256, size and first bytes."""

    path: Path
    digest: str
    size: int
    head: bytes

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def staging_dir() -> Path:
    path = Path(settings.OPTIONS.data_dir) / "blobs" / ".staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage_chunks(chunks: Iterable[bytes], *, max_bytes: int) -> StagedFile:
    """Write `chunks` to a staging file while hashing. Over `max_bytes`: deleted, BlobTooLarge."""
    hasher = hashlib.sha256()
    size = 0
    head = b""
    fd, name = tempfile.mkstemp(dir=staging_dir(), prefix="up-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise BlobTooLarge(f"file is larger than the limit of {max_bytes} bytes")
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                hasher.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path, hasher.hexdigest(), size, head)


def stage_bytes(data: bytes) -> StagedFile:
    return stage_chunks([data], max_bytes=max(len(data), 1))


def iter_file(fh: IO[bytes], chunk: int = CHUNK) -> Iterator[bytes]:
    while block := fh.read(chunk):
        yield block


def hash_blob(store: BlobStore, digest: str) -> str | None:
    """SHA-256 of the stored blob, streamed; None when it is missing."""
    try:
        fh = store.open(digest)
    except FileNotFoundError:
        return None
    hasher = hashlib.sha256()
    with fh:
        for block in iter_file(fh):
            hasher.update(block)
    return hasher.hexdigest()


class LocalBlobStore:
    """Blobs as files under a directory, fanned out by the first hash digits."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put_path(self, digest: str, path: Path, *, keep: bool = False) -> None:
        """Store the file at `path` under `digest`; `keep` leaves `path` in place (hard link)."""
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            if keep:
                with contextlib.suppress(FileExistsError):
                    target.hardlink_to(path)
            else:
                path.replace(target)
                return
        if not keep:
            path.unlink(missing_ok=True)

    def open(self, digest: str) -> IO[bytes]:
        return self.path(digest).open("rb")

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def delete(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)


class S3BlobStore:
    """Blobs as objects in an S3-compatible bucket, through django-storages."""

    name = "s3"

    def __init__(self, **storage_options: Any) -> None:
        from storages.backends.s3 import S3Storage

        self.storage = S3Storage(file_overwrite=True, default_acl=None, **storage_options)

    def put_path(self, digest: str, path: Path, *, keep: bool = False) -> None:
        from django.core.files import File

        try:
            if not self.storage.exists(digest):
                with path.open("rb") as fh:
                    self.storage.save(digest, File(fh, name=digest))
        finally:
            if not keep:
                path.unlink(missing_ok=True)

    def open(self, digest: str) -> IO[bytes]:
        if not self.storage.exists(digest):
            raise FileNotFoundError(digest)
        return self.storage.open(digest, "rb")  # type: ignore[no-any-return]

    def exists(self, digest: str) -> bool:
        return bool(self.storage.exists(digest))

    def delete(self, digest: str) -> None:
        self.storage.delete(digest)


def s3_store_from_options(options: Any) -> S3BlobStore:
    kwargs: dict[str, Any] = {
        "bucket_name": options.evidence_s3_bucket,
        "location": options.evidence_s3_prefix.strip("/"),
    }
    if options.evidence_s3_endpoint_url:
        kwargs["endpoint_url"] = options.evidence_s3_endpoint_url
    if options.evidence_s3_region:
        kwargs["region_name"] = options.evidence_s3_region
    if options.evidence_s3_access_key_id:
        kwargs["access_key"] = options.evidence_s3_access_key_id
    if options.evidence_s3_secret_access_key is not None:
        kwargs["secret_key"] = options.evidence_s3_secret_access_key.get_secret_value()
    return S3BlobStore(**kwargs)


_STORES: dict[tuple[Any, ...], BlobStore] = {}


def get_blob_store() -> BlobStore:
    """The store chosen by ATTESTLY_EVIDENCE_BLOB_BACKEND (one instance per configuration)."""
    options = settings.OPTIONS
    key = (options.evidence_blob_backend, str(options.data_dir), options.evidence_s3_bucket,
           options.evidence_s3_endpoint_url, options.evidence_s3_prefix)  # fmt: skip
    store = _STORES.get(key)
    if store is None:
        if options.evidence_blob_backend == "s3":
            store = s3_store_from_options(options)
        else:
            store = LocalBlobStore(Path(options.data_dir) / "blobs")
        _STORES[key] = store
    return store
