"""Appending items to a workspace's chain, fast: batched executemany inside one transaction.

The ORM's bulk_create costs several microseconds per row in model instantiation alone, which
a million-row collection cannot afford, so rows are built as tuples and written with the
connection's executemany, `CHUNK` rows at a time, while the input is streamed.
Called only from `evidence.actions`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection

from attestly.evidence.hashing import canonical_bytes, iso_date, iso_datetime
from attestly.evidence.models import EvidenceContent, EvidenceItem, Storage

CHUNK = 5000
JSON_MEDIA_TYPE = "application/json"

_ITEM_COLUMNS = (
    "workspace_id",
    "seq",
    "batch_id",
    "source",
    "source_ref",
    "kind",
    "resource_key",
    "collected_at",
    "effective_from",
    "effective_to",
    "valid_until",
    "content_hash",
    "storage",
    "size",
    "media_type",
    "filename",
    "control_refs",
    "prev_hash",
    "chain_hash",
    "recorded_at",
    "tombstone_reason",
)


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A file already in the blob store: its SHA-256, size and sniffed media type."""

    digest: str
    size: int
    media_type: str


@dataclass(slots=True)
class EvidenceInput:
    """One item to record. Give `content` (any JSON value) or `blob` (a stored file).

    `collected_at` defaults to the batch's time; `effective_from`/`effective_to` are the date
    or period the evidence speaks for; `valid_until` is when it goes stale.
    """

    kind: str
    resource_key: str = ""
    content: Any = None
    blob: StoredBlob | None = None
    collected_at: dt.datetime | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    valid_until: dt.datetime | None = None
    filename: str = ""
    control_refs: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class ChainTail:
    seq: int
    hash: str
    count: int


class _Writer:
    """Vendor-specific SQL and value adaptation for the two supported databases."""

    def __init__(self) -> None:
        self.sqlite = connection.vendor == "sqlite"
        mark = "?" if self.sqlite else "%s"
        item_table = connection.ops.quote_name(EvidenceItem._meta.db_table)
        content_table = connection.ops.quote_name(EvidenceContent._meta.db_table)
        cols = ", ".join(_ITEM_COLUMNS)
        values = ", ".join([mark] * len(_ITEM_COLUMNS))
        self.item_sql = f"INSERT INTO {item_table} ({cols}) VALUES ({values})"  # noqa: S608
        self.content_sql = (
            f"INSERT INTO {content_table} (hash, data) VALUES ({mark}, {mark}) "  # noqa: S608
            "ON CONFLICT (hash) DO NOTHING"
        )
        connection.ensure_connection()
        # SQLite: the raw sqlite3 cursor skips Django's per-row parameter rewriting; it runs
        # inside the same transaction as the ORM (Django issues BEGIN on this connection).
        self.cursor: Any = connection.connection.cursor() if self.sqlite else connection.cursor()
        self._jsonb: Any = None
        if not self.sqlite:
            from psycopg.types.json import Jsonb

            self._jsonb = Jsonb

    def adapt_dt(self, value: dt.datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")

    def adapt_date(self, value: dt.date | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return value.isoformat()

    def refs(self, refs: list[str]) -> Any:
        return orjson.dumps(refs).decode() if self.sqlite else self._jsonb(refs)

    def flush(self, items: list[tuple[Any, ...]], contents: list[tuple[str, bytes]]) -> None:
        if contents:
            self.cursor.executemany(self.content_sql, contents)
        if items:
            self.cursor.executemany(self.item_sql, items)


def append_items(
    *,
    workspace_id: int,
    batch_id: int,
    source: str,
    source_ref: str,
    items: Iterable[EvidenceInput],
    start: ChainTail,
    now: dt.datetime,
    on_progress: Callable[[int], None] | None = None,
) -> ChainTail:
    """Hash, chain and insert `items` after `start`. Caller holds the head lock and the txn."""
    writer = _Writer()
    sha256 = hashlib.sha256
    now_iso = iso_datetime(now) or ""
    now_db = writer.adapt_dt(now)
    empty_refs = writer.refs([])
    seq, prev, count = start.seq, start.hash, 0
    rows: list[tuple[Any, ...]] = []
    contents: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for item in items:
        if item.blob is None:
            data = canonical_bytes(item.content)
            digest = sha256(data).hexdigest()
            size, media_type, storage = len(data), JSON_MEDIA_TYPE, Storage.DB.value
            if digest not in seen:
                seen.add(digest)
                contents.append((digest, data))
        else:
            digest, size = item.blob.digest, item.blob.size
            media_type, storage = item.blob.media_type, Storage.BLOB.value
        if item.collected_at is None:
            collected_iso, collected_db = now_iso, now_db
        else:
            collected_iso = iso_datetime(item.collected_at) or ""
            collected_db = writer.adapt_dt(item.collected_at)
        refs = list(item.control_refs)
        eff_from, eff_to = iso_date(item.effective_from), iso_date(item.effective_to)
        valid_iso = iso_datetime(item.valid_until)
        seq += 1
        header = canonical_bytes(
            [
                1,
                seq,
                prev,
                digest,
                size,
                media_type,
                source,
                source_ref,
                item.kind,
                item.resource_key,
                collected_iso,
                eff_from,
                eff_to,
                valid_iso,
                item.filename,
                refs,
            ]
        )
        chained = sha256(header).hexdigest()
        rows.append(
            (
                workspace_id,
                seq,
                batch_id,
                source,
                source_ref,
                item.kind,
                item.resource_key,
                collected_db,
                writer.adapt_date(item.effective_from),
                writer.adapt_date(item.effective_to),
                writer.adapt_dt(item.valid_until),
                digest,
                storage,
                size,
                media_type,
                item.filename,
                writer.refs(refs) if refs else empty_refs,
                prev,
                chained,
                now_db,
                "",
            )
        )
        prev = chained
        count += 1
        if len(rows) >= CHUNK:
            writer.flush(rows, contents)
            rows, contents = [], []
            seen.clear()
            if on_progress is not None:
                on_progress(count)
    writer.flush(rows, contents)
    if on_progress is not None:
        on_progress(count)
    return ChainTail(seq, prev, count)
