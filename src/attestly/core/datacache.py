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


_request_versions = threading.local()


def remember_versions(found: dict[int, Any]) -> None:
    """Data versions this request has already read (with its workspaces, in the same query);
    `data_versions` uses them instead of asking again. Only for reads: a request that writes
    must see its own write, so it never remembers. `forget_versions` ends it."""
    _request_versions.found = found


def forget_versions() -> None:
    _request_versions.found = None


def data_versions(workspace_ids: Iterable[int]) -> tuple[Hashable, ...]:
    """The data version of each workspace (`attestly.core.hotpath.version_columns`): its audit
    chain's seq, its newest collection run and readiness snapshot, and the installation
    chain's seq. Read once per request, in the query that reads the request's workspaces, or
    here in one query of its own."""
    from attestly.core import hotpath

    ids = sorted(set(workspace_ids))
    if not ids:
        return ()
    found: dict[int, Any] | None = getattr(_request_versions, "found", None)
    if found is None or any(pk not in found for pk in ids):
        found = hotpath.versions(ids)
    return (tuple(ids), tuple(found.get(pk) for pk in ids))


MISSING: Any = object()


def versioned(key: Hashable, workspace_ids: Iterable[int]) -> Hashable:
    """`key` with the workspaces' current data versions: read the versions once, before
    computing, so a write that lands meanwhile makes the stored value unreachable rather than
    stale."""
    return (key, data_versions(workspace_ids))


def lookup(full_key: Hashable) -> Any:
    """The live value under a `versioned` key, or MISSING."""
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is None or hit[0] <= now:
            return MISSING
        _entries.move_to_end(full_key)
        return hit[1]


def store(full_key: Hashable, value: Any) -> None:
    """Keep `value` under a `versioned` key for the time to live (no-op when it is 0)."""
    seconds = ttl()
    if seconds <= 0:
        return
    with _lock:
        _entries[full_key] = (time.monotonic() + seconds, value)
        _entries.move_to_end(full_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def cached(key: Hashable, workspace_ids: Iterable[int], compute: Callable[[], T]) -> T:
    """`compute()`, or its value from the last call with the same key while the workspaces'
    data versions are unchanged and it is younger than the time to live.

    The value is shared between requests: callers must not change it.
    """
    if ttl() <= 0:
        return compute()
    full_key = versioned(key, workspace_ids)
    value = lookup(full_key)
    if value is MISSING:
        value = compute()
        store(full_key, value)
    result: T = value
    return result
