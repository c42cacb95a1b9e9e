"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from attestly.core.canonical import canonical_json, sha256_hex
from attestly.core.models import AuditChainHead, AuditEntry, Workspace

if TYPE_CHECKING:
    from attestly.accounts.models import User

GENESIS = "0" * 64
INSTALLATION_CHAIN = "installation"


def chain_name(workspace: Workspace | None) -> str:
    return f"workspace:{workspace.pk}" if workspace is not None else INSTALLATION_CHAIN


def entry_hash(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    created_at: dt.datetime,
) -> str:
    """The hash of one entry over every recorded field and the previous hash."""
    payload = {
        "chain": chain,
        "seq": seq,
        "prev": prev_hash,
        "actor": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    return sha256_hex(canonical_json(payload))


def describe_actor(actor: User | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.get_username()} (#{actor.pk})"


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    workspace: Workspace | None,
    before: Any = None,
    after: Any = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry to the workspace's chain. Must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the action's transaction")
    chain = chain_name(workspace)
    # A row lock on the head serialises appends to one chain (SQLite serialises all writes).
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        head = AuditChainHead.objects.create(chain=chain, seq=0, hash=GENESIS)
    now = timezone.now()
    fields = {
        "chain": chain,
        "seq": head.seq + 1,
        "prev_hash": head.hash,
        "actor_label": describe_actor(actor),
        "action": action,
        "object_type": object_type or (obj._meta.label_lower if obj is not None else ""),
        "object_id": object_id or (str(obj.pk) if obj is not None else ""),
        "object_repr": (object_repr or (str(obj) if obj is not None else ""))[:300],
        # Round-trip through canonical JSON so what is stored is exactly what was hashed.
        "before": _jsonable(before),
        "after": _jsonable(after),
        "created_at": now,
    }
    digest = entry_hash(**fields)
    entry = AuditEntry.objects.create(workspace=workspace, actor=actor, hash=digest, **fields)
    domains = {**(head.domains or {}), domain_of(fields["object_type"]): entry.seq}
    AuditChainHead.objects.filter(chain=chain).update(seq=entry.seq, hash=digest, domains=domains)
    return entry


def domain_of(object_type: str) -> str:
    """The part of Attestly an entry is about: its object type's app label ("controls" for
    "controls.control"); "core" when it has none."""
    return object_type.partition(".")[0] or "core"


def _jsonable(value: Any) -> Any:
    import json

    return None if value is None else json.loads(canonical_json(value))


@dataclass(frozen=True)
class ChainBreak:
    """One place where the recorded chain does not match its recomputation."""

    chain: str
    seq: int
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" + (f" (id {self.entry_id})" if self.entry_id else "")
        return f"{self.chain}: {where}: {self.problem}"


def verify_chain(chain: str) -> list[ChainBreak]:
    """Recompute one chain. Returns every break found, first break first."""
    breaks: list[ChainBreak] = []
    prev_hash = GENESIS
    expected_seq = 1
    last: AuditEntry | None = None
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            breaks.append(
                ChainBreak(
                    chain,
                    expected_seq,
                    None,
                    f"missing: entries {expected_seq}..{entry.seq - 1} deleted",
                )
            )
        if entry.prev_hash != prev_hash:
            breaks.append(
                ChainBreak(
                    chain,
                    entry.seq,
                    entry.pk,
                    "link broken: prev_hash does not match the entry before",
                )
            )
        recomputed = entry_hash(
            chain=entry.chain,
            seq=entry.seq,
            prev_hash=entry.prev_hash,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            before=entry.before,
            after=entry.after,
            created_at=entry.created_at,
        )
        if recomputed != entry.hash:
            breaks.append(
                ChainBreak(
                    chain,
                    entry.seq,
                    entry.pk,
                    "content changed: hash does not match the recorded fields",
                )
            )
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        last = entry
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None and (last is None or head.seq != last.seq or head.hash != last.hash):
        at = last.seq if last else 0
        breaks.append(
            ChainBreak(
                chain,
                head.seq,
                None,
                f"tail missing: head records entry #{head.seq}, log ends at #{at}",
            )
        )
    return breaks


def verify_all(workspace: Workspace | None = None) -> tuple[int, list[ChainBreak]]:
    """Verify every chain (or one workspace's). Returns (entries checked, breaks)."""
    if workspace is not None:
        chains = [chain_name(workspace)]
    else:
        chains = sorted(
            set(AuditEntry.objects.values_list("chain", flat=True).distinct())
            | set(AuditChainHead.objects.values_list("chain", flat=True))
        )
    breaks: list[ChainBreak] = []
    for chain in chains:
        breaks.extend(verify_chain(chain))
    count = AuditEntry.objects.filter(chain__in=chains).count()
    return count, breaks
