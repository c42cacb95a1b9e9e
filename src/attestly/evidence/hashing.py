"""Canonical bytes and the chain hash of an evidence item.

`canonical_bytes` is canonical JSON through orjson: keys sorted, no white space, UTF-8. For
every value without floats it is byte for byte `attestly.core.canonical.canonical_json` (a
test holds it to that); floats use orjson's shortest round-trip form ("1e-7" where the
standard library writes "1e-07"), and NaN or infinity, which JSON cannot hold, become null.
Checking every output for floats would cost a third of the ingest budget, and no verifier
ever re-encodes: hashes are over the stored bytes. Values orjson cannot encode (dates,
decimals, sets, integers past 64 bits) go through `canonical_json`.

The chain hash is SHA-256 over the canonical JSON of a fixed list of header fields
(`header_fields`); the standalone verifier in an export package rebuilds the same list with
`json.dumps(..., separators=(",", ":"), ensure_ascii=False)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

from attestly.core.canonical import canonical_json

GENESIS = "0" * 64
HEADER_VERSION = 1
_OPTS = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256


def canonical_bytes(value: Any) -> bytes:
    """Canonical JSON bytes of `value` (see the module docstring for floats)."""
    try:
        return orjson.dumps(value, option=_OPTS)
    except orjson.JSONEncodeError:
        return canonical_json(value)


def sha256_hex(data: bytes) -> str:
    return _sha256(data).hexdigest()


def iso_datetime(value: dt.datetime | None) -> str | None:
    """The one text form of a timestamp in hashes: UTC, microseconds, +00:00."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def iso_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def header_fields(
    *,
    seq: int,
    prev_hash: str,
    content_hash: str,
    size: int,
    media_type: str,
    source: str,
    source_ref: str,
    kind: str,
    resource_key: str,
    collected_at: str,
    effective_from: str | None,
    effective_to: str | None,
    valid_until: str | None,
    filename: str,
    control_refs: list[str],
) -> list[Any]:
    """The hashed fields of one item, in their fixed order (times already in ISO text)."""
    return [
        HEADER_VERSION,
        seq,
        prev_hash,
        content_hash,
        size,
        media_type,
        source,
        source_ref,
        kind,
        resource_key,
        collected_at,
        effective_from,
        effective_to,
        valid_until,
        filename,
        control_refs,
    ]


def header_bytes(fields: list[Any]) -> bytes:
    """Canonical JSON of a header list. It holds only ints, strings, None and a list of strings,
    where orjson and the standard library agree byte for byte, so orjson is used directly."""
    try:
        return orjson.dumps(fields)
    except orjson.JSONEncodeError:
        return canonical_json(fields)


def chain_hash(fields: list[Any]) -> str:
    return _sha256(header_bytes(fields)).hexdigest()


def item_chain_hash(item: Any) -> str:
    """Recompute the chain hash of a stored EvidenceItem from its columns."""
    return chain_hash(
        header_fields(
            seq=item.seq,
            prev_hash=item.prev_hash,
            content_hash=item.content_hash,
            size=item.size,
            media_type=item.media_type,
            source=item.source,
            source_ref=item.source_ref,
            kind=item.kind,
            resource_key=item.resource_key,
            collected_at=iso_datetime(item.collected_at) or "",
            effective_from=iso_date(item.effective_from),
            effective_to=iso_date(item.effective_to),
            valid_until=iso_datetime(item.valid_until),
            filename=item.filename,
            control_refs=list(item.control_refs or []),
        )
    )


def checkpoint_message(
    *, workspace: str, seq: int, head_hash: str, signed_at: str, key_id: str
) -> bytes:
    """The bytes an installation key signs for a checkpoint."""
    return canonical_bytes(
        {
            "type": "attestly.evidence.checkpoint",
            "v": 1,
            "workspace": workspace,
            "seq": seq,
            "head": head_hash,
            "at": signed_at,
            "key_id": key_id,
        }
    )
