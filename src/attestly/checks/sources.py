"""Reading evidence for checks: from the ledger, or from memory in tests and benchmarks.

A source answers two questions: the current item of every resource of some kinds (what a
run judges), and the items with some content hashes (what a replay judges again).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from attestly.checks.engine import kind_matches
from attestly.checks.types import Evidence
from attestly.core.models import Workspace
from attestly.evidence.hashing import canonical_bytes, sha256_hex


class EvidenceSource(Protocol):
    """Where a run or a replay reads its evidence."""

    def current(self, workspace: Workspace, kinds: Iterable[str]) -> dict[str, list[Evidence]]: ...

    def by_hashes(self, workspace: Workspace, hashes: Sequence[str]) -> list[Evidence]: ...


class MemorySource:
    """Evidence held in memory: the newest item per (kind, key) is current."""

    def __init__(self, items: Iterable[Evidence] = ()) -> None:
        self.items: list[Evidence] = list(items)

    def current(self, workspace: Workspace, kinds: Iterable[str]) -> dict[str, list[Evidence]]:
        patterns = list(kinds)
        latest: dict[tuple[str, str], Evidence] = {}
        for item in self.items:
            if any(kind_matches(p, item.kind) for p in patterns):
                latest[(item.kind, item.key)] = item
        grouped: dict[str, list[Evidence]] = defaultdict(list)
        for (kind, _key), item in sorted(latest.items()):
            grouped[kind].append(item)
        return dict(grouped)

    def by_hashes(self, workspace: Workspace, hashes: Sequence[str]) -> list[Evidence]:
        wanted = set(hashes)
        found = {item.hash: item for item in self.items if item.hash in wanted}
        return [found[h] for h in hashes if h in found]


# What a collector's run records for a resource it reported before and no longer finds (a
# deleted bucket, a terminated host). The ledger stays append-only; the resource simply has
# no current evidence any more, so checks stop judging it and its intervals close.
GONE: dict[str, Any] = {"_attestly_gone": True}
GONE_HASH = sha256_hex(canonical_bytes(GONE))


def _data(item: Any) -> Mapping[str, Any]:
    raw = item.content if item.storage == "db" and item.tombstoned_at is None else None
    if raw is not None:
        value = json.loads(bytes(raw))
        return value if isinstance(value, dict) else {"value": value}
    # A file (upload) or a tombstone: the check sees what is known about it.
    return {
        "filename": item.filename,
        "media_type": item.media_type,
        "size": item.size,
        "control_refs": list(item.control_refs or []),
        "tombstoned": item.tombstoned_at is not None,
    }


def _evidence(item: Any) -> Evidence:
    return Evidence(
        kind=item.kind,
        key=item.resource_key or item.filename or str(item.seq),
        hash=item.content_hash,
        data=_data(item),
        collected_at=item.collected_at,
        effective_from=item.effective_from,
        effective_to=item.effective_to,
        valid_until=item.valid_until,
    )


class LedgerSource:
    """The evidence ledger (attestly.evidence): the newest untombstoned item per resource."""

    def _items(self, items: Iterable[Any]) -> list[Evidence]:
        return [_evidence(item) for item in items]

    def current(self, workspace: Workspace, kinds: Iterable[str]) -> dict[str, list[Evidence]]:
        from django.db.models import Max, Q

        from attestly.evidence.models import EvidenceItem

        match = Q()
        for pattern in kinds:
            match |= Q(kind__startswith=pattern[:-1]) if pattern.endswith(".*") else Q(kind=pattern)
        # The newest item per (kind, resource), found in the database so history stays there.
        newest = (
            EvidenceItem.objects.filter(match, workspace=workspace)
            .values("kind", "resource_key")
            .annotate(last=Max("seq"))
            .values("last")
        )
        query = (
            EvidenceItem.objects.filter(
                workspace=workspace, seq__in=newest, tombstoned_at__isnull=True
            )
            .exclude(content_hash=GONE_HASH)
            .order_by("kind", "resource_key")
        )
        grouped: dict[str, list[Evidence]] = defaultdict(list)
        for item in query.iterator(chunk_size=5000):
            evidence = _evidence(item)
            grouped[evidence.kind].append(evidence)
        return dict(grouped)

    def by_hashes(self, workspace: Workspace, hashes: Sequence[str]) -> list[Evidence]:
        from attestly.evidence.models import EvidenceItem

        newest: dict[str, Any] = {}
        for item in EvidenceItem.objects.filter(
            workspace=workspace, content_hash__in=list(hashes)
        ).order_by("seq"):
            newest[item.content_hash] = item
        found = {e.hash: e for e in self._items(newest.values())}
        return [found[h] for h in hashes if h in found]
