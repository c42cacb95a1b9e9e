"""A small in-process cache of what depends only on workspaces' data, keyed on their version.

Every write in Attestly goes through an action that appends to the workspace's audit chain in
the same transaction, and the chain's head keeps, besides its `seq`, the seq of its newest
entry for each domain (the app label of the entry's object type: "controls", "evidence",
"checks", ...). So one primary-key read tells what changed, and where. Two kinds of change
are not audited and have versions of their own: collection runs (their status moves while
they run; RUNS) and readiness snapshots (taken by the scheduler; SNAPSHOTS). A short time to
live bounds the rest: figures that move with the clock alone (stale evidence) and writes made
outside the actions.

Each kept value says what it depends on (`on`): some domains, RUNS, SNAPSHOTS, or EVERYTHING
(any audited write). A control edited moves "controls" and so renews the controls list and
the dashboard, while the evidence list stays kept. The catalog's version (its syncs, on the
installation's chain) is part of every key; the rest of that chain (sign-ins, accounts) shows
in no kept value.

Keys carry the workspace ids the value was computed for and their versions; callers add
whatever else the value depends on (the query string). Nothing kept here may hold a CSRF
token, a user's name or anything that depends on who asks beyond which workspaces they may
read: every reader of a workspace gets the same value. `DATA_CACHE_SECONDS = 0` turns the
cache off (the test suite does, since its factories write without the audit log; the cache's
own tests turn it on).
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

EVERYTHING = "*"  # any audited write in the workspace
RUNS = "runs"  # the newest collection run (started, finished)
SNAPSHOTS = "snapshots"  # the newest readiness snapshot
Depends = tuple[str, ...]

# What the cache may hold, per process: the sum of its values' sizes (bytes for rendered
# pages and API answers, an estimate for other values), oldest used dropped first.
MAX_BYTES = 64 * 1024 * 1024
OTHER_VALUE_BYTES = 64 * 1024

_lock = threading.Lock()
_entries: OrderedDict[Hashable, tuple[float, Any, int]] = OrderedDict()
_size = 0


def ttl() -> float:
    return float(getattr(settings, "DATA_CACHE_SECONDS", 30))


def clear() -> None:
    global _size
    with _lock:
        _entries.clear()
        _size = 0


_request_versions = threading.local()


def remember_versions(found: dict[int, Any]) -> None:
    """Data versions this request has already read (with its workspaces, in the same query);
    `data_versions` uses them instead of asking again. Only for reads: a request that writes
    must see its own write, so it never remembers. `forget_versions` ends it."""
    _request_versions.found = found


def forget_versions() -> None:
    _request_versions.found = None


def _parts(version: Any, on: Depends) -> tuple[Any, ...]:
    """The parts of one workspace's version (`attestly.core.hotpath.version_columns`) that a
    value depending on `on` must be keyed on."""
    if version is None:
        return (None,)
    chain, domains, run, snapshot, installation = version
    parts: list[Any] = [_seqs(installation).get("frameworks")]
    seqs: dict[str, Any] | None = None
    for name in on:
        if name == EVERYTHING:
            parts.append(chain)
        elif name == RUNS:
            parts.append(run)
        elif name == SNAPSHOTS:
            parts.append(snapshot)
        else:
            if seqs is None:
                seqs = _seqs(domains)
            parts.append(seqs.get(name))
    return tuple(parts)


@functools.lru_cache(maxsize=1024)
def _seqs(domains: str | None) -> dict[str, Any]:
    """A chain head's {domain: seq}, parsed once per distinct text (callers only read it)."""
    return json.loads(domains) if domains else {}


def data_versions(workspace_ids: Iterable[int], on: Depends = (EVERYTHING,)) -> tuple[Any, ...]:
    """The data version of each workspace, as far as a value depending on `on` is concerned.
    Read once per request, in the query that reads the request's workspaces, or here in one
    query of its own."""
    from attestly.core import hotpath

    ids = sorted(set(workspace_ids))
    if not ids:
        return ()
    found: dict[int, Any] | None = getattr(_request_versions, "found", None)
    if found is None or any(pk not in found for pk in ids):
        found = hotpath.versions(ids)
    return (tuple(ids), tuple(_parts(found.get(pk), on) for pk in ids), on)


MISSING: Any = object()


def versioned(key: Hashable, workspace_ids: Iterable[int], on: Depends) -> Hashable:
    """`key` with the workspaces' current data versions for what it depends `on`: read the
    versions once, before computing, so a write that lands meanwhile makes the stored value
    unreachable rather than stale."""
    return (key, data_versions(workspace_ids, on))


def lookup(full_key: Hashable) -> Any:
    """The live value under a `versioned` key, or MISSING."""
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full_key)
        if hit is None or hit[0] <= now:
            return MISSING
        _entries.move_to_end(full_key)
        return hit[1]


def _size_of(value: Any) -> int:
    content = getattr(value, "content", value)
    if isinstance(content, bytes | str):
        return sys.getsizeof(content)
    return OTHER_VALUE_BYTES


def store(full_key: Hashable, value: Any) -> None:
    """Keep `value` under a `versioned` key for the time to live (no-op when it is 0)."""
    global _size
    seconds = ttl()
    if seconds <= 0:
        return
    size = _size_of(value)
    with _lock:
        old = _entries.pop(full_key, None)
        if old is not None:
            _size -= old[2]
        _entries[full_key] = (time.monotonic() + seconds, value, size)
        _size += size
        while _size > MAX_BYTES and len(_entries) > 1:
            _key, (_expires, _value, dropped) = _entries.popitem(last=False)
            _size -= dropped


_computing: dict[Hashable, threading.Event] = {}
WAIT_FOR_OTHER_S = 30.0


def cached(key: Hashable, workspace_ids: Iterable[int], compute: Callable[[], T], on: Depends) -> T:
    """`compute()`, or its value from the last call with the same key while the workspaces'
    data versions (for what it depends `on`) are unchanged and it is younger than the time to
    live.

    Right after a write, several requests of a process often want the same value at once (the
    dashboard, a list): one computes it and the others wait for it, rather than all of them
    computing it side by side at the moment the server is busiest. Should the one computing
    fail, each waiting request computes it itself.

    The value is shared between requests: callers must not change it.
    """
    if ttl() <= 0:
        return compute()
    full_key = versioned(key, workspace_ids, on)
    value = lookup(full_key)
    if value is not MISSING:
        kept: T = value
        return kept
    with _lock:
        running = _computing.get(full_key)
        if running is None:
            _computing[full_key] = threading.Event()
    if running is not None:  # another request is computing it: wait for its value
        running.wait(WAIT_FOR_OTHER_S)
        value = lookup(full_key)
        return compute() if value is MISSING else value
    try:
        fresh = compute()
        store(full_key, fresh)
    finally:
        with _lock:
            done = _computing.pop(full_key)
        done.set()
    return fresh
