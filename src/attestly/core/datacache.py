"""A small in-process cache of what depends only on workspaces' data, keyed on their version.

Every write in Attestly goes through an action that appends to the workspace's audit chain in
the same transaction, so the chain head's `seq` is the workspace's data version: one
primary-key read tells whether anything changed. Two kinds of change are not audited and are
added to the version: collection runs (their status moves while they run) and readiness
snapshots (taken by the scheduler). A short time to live bounds the rest: figures that move
with the clock alone (stale evidence) and writes made outside the actions.

Keys always carry the workspace ids the value was computed for and their versions; callers add
whatever else the value depends on (the user, the query string). Nothing holding a CSRF token, a
username or role-dependent links is stored here: the dashboard stores its computed figures, the
API the data of list responses. `DATA_CACHE_SECONDS = 0` turns the cache off (the test suite
does, since its factories write without the audit log; the cache's own tests turn it on).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

MAX_ENTRIES = 256

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()


def ttl() -> float:
    return float(getattr(settings, "DATA_CACHE_SECONDS", 30))


def clear() -> None:
    with _lock:
        _entries.clear()


def data_versions(workspace_ids: Iterable[int]) -> tuple[Hashable, ...]:
    """The data version of each workspace: its audit chain's seq, the newest collection run
    (id, status) and the newest readiness snapshot (id, score) among them."""
    from attestly.core.audit import INSTALLATION_CHAIN
    from attestly.core.models import AuditChainHead
    from attestly.integrations.models import CollectionRun
    from attestly.readiness.models import ReadinessSnapshot

    ids = sorted(set(workspace_ids))
    if not ids:
        return ()
    chains = [f"workspace:{pk}" for pk in ids] + [INSTALLATION_CHAIN]
    seqs = tuple(
        sorted(AuditChainHead.objects.filter(chain__in=chains).values_list("chain", "seq"))
    )
    run = (
        CollectionRun.objects.filter(workspace_id__in=ids)
        .order_by("-pk")
        .values_list("pk", "status", "finished_at")
        .first()
    )
    snapshot = (
        ReadinessSnapshot.objects.filter(workspace_id__in=ids)
        .order_by("-pk")
        .values_list("pk", "score")
        .first()
    )
    return (tuple(ids), seqs, run, snapshot)


def cached(key: Hashable, workspace_ids: Iterable[int], compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the last call with the same key while the workspaces'
    data versions are unchanged and it is younger than the time to live.

    The value is shared between requests: callers must not change it.
    """
    seconds = ttl()
    if seconds <= 0:
        return compute()
    full_key = (key, data_versions(workspace_ids))
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is not None and hit[0] > now:
            _entries.move_to_end(full_key)
            value: T = hit[1]
            return value
    value = compute()
    with _lock:
        _entries[full_key] = (now + seconds, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value
