"""botocore's data files, kept down to what Attestly calls.

A botocore client loads its service's whole model (`service-2.json`: every operation and
shape of the API, with its documentation) and, for the first client of a session, the
endpoint data of every AWS service (`endpoints.json`). Attestly calls 2 to 8 operations per
service, so almost all of it is dead weight: EC2's model alone is ~14 MB of Python objects for
the 6 operations read, and the ten services' models plus the endpoint data were ~50 MB of a
~170 MB peak (measured on the AWS bench at N = 1,000).

`LeanFileLoader` is a botocore file loader (`botocore.loaders.JSONFileLoader`, set as the
session's `data_loader.file_loader`) that keeps, of a service model, the operations Attestly
declares for that service and the shapes they reach, and of the endpoint data the services
Attestly uses. Every other file, and the model of a service nobody declared, is loaded as
botocore would. Requests and answers go through botocore unchanged: the kept operations have
their whole input, output and error shapes, so they are built, signed and parsed exactly as
with the full model.

Imported with boto3 (on first use), not at start-up.
"""

from __future__ import annotations

import ctypes
import gzip
import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore.loaders import JSONFileLoader

# Where `endpoints.json` keys a service: its model's `metadata.endpointPrefix`, which is the
# service's name for every service Attestly reads but S3 Control (a test checks the table
# against botocore's models).
ENDPOINT_PREFIXES = {"s3control": "s3-control"}


def endpoint_prefix(service: str) -> str:
    """The key of a service in botocore's endpoint data."""
    return ENDPOINT_PREFIXES.get(service, service)


def prune_service_model(model: Mapping[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """The model with only `operations` and the shapes they reach (through input, output and
    errors, then members, list members, map keys and values); the service's documentation
    left out. An operation the model does not have is ignored."""
    keep = set(operations)
    kept = {name: op for name, op in model.get("operations", {}).items() if name in keep}
    shapes: Mapping[str, Any] = model.get("shapes", {})
    reached: set[str] = set()
    todo = [
        ref["shape"]
        for op in kept.values()
        for ref in (op.get("input"), op.get("output"), *op.get("errors", ()))
        if ref
    ]
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        shape = shapes[name]
        todo.extend(member["shape"] for member in shape.get("members", {}).values())
        todo.extend(shape[part]["shape"] for part in ("member", "key", "value") if part in shape)
    pruned = {k: v for k, v in model.items() if k not in {"operations", "shapes", "documentation"}}
    pruned["operations"] = kept
    pruned["shapes"] = {name: shapes[name] for name in shapes if name in reached}
    return pruned


def prune_endpoints(data: dict[str, Any], services: Iterable[str]) -> dict[str, Any]:
    """The endpoint data with, in each partition, only the entries of `services`."""
    prefixes = {endpoint_prefix(service) for service in services}
    for partition in data.get("partitions", []):
        known = partition.get("services") or {}
        partition["services"] = {k: v for k, v in known.items() if k in prefixes}
    return data


class LeanFileLoader(JSONFileLoader):  # type: ignore[misc]  # botocore has no type hints
    """Loads botocore's data files, keeping of each declared service's model only the
    declared operations, and of the endpoint data only the declared services."""

    def __init__(self, operations: Mapping[str, Iterable[str]]) -> None:
        self.operations = {service: frozenset(ops) for service, ops in operations.items()}

    def load_file(self, file_path: str) -> Any:
        """`file_path` without its `.json` / `.json.gz` ending, as botocore asks for it."""
        path = Path(file_path)
        name, service = path.name, path.parent.parent.name  # <service>/<version>/<name>
        if name == "service-2" and service in self.operations:
            model = _read_json(file_path)
            if model is None:
                return None
            pruned = prune_service_model(model, self.operations[service])
            del model
            give_back_freed_memory()
            return pruned
        data = super().load_file(file_path)
        if name == "endpoints" and isinstance(data, dict):
            return prune_endpoints(data, self.operations)
        return data


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (musl, macOS)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None
    return trim


def give_back_freed_memory() -> None:
    """Return the free memory of the C heap to the system (glibc only; a no-op elsewhere).

    A whole model is parsed in whichever collector thread creates the first client of its
    service, and glibc keeps what a thread frees in that thread's own arena: the ~10-20 MB of
    a parsed model, freed once pruned, stayed resident in up to 16 arenas (2 cores), about
    20 MB of the peak on the bench. `malloc_trim` hands the free pages of every arena back; it
    takes a millisecond or two, once per service model."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _read_json(file_path: str) -> Any:
    """A data file as plain dicts: botocore reads its files into OrderedDicts, which take
    about twice the memory while the whole model is held before it is pruned."""
    plain, packed = Path(file_path + ".json"), Path(file_path + ".json.gz")
    if plain.is_file():
        return json.loads(plain.read_bytes())
    if packed.is_file():
        with gzip.open(packed, "rb") as unpacked:
            return json.loads(unpacked.read())
    return None


def lean_session(operations: Mapping[str, Iterable[str]]) -> botocore.session.Session:
    """A botocore session whose models keep only `operations` (service -> operation names),
    for `boto3.session.Session(botocore_session=...)`."""
    session = botocore.session.Session()
    session.get_component("data_loader").file_loader = LeanFileLoader(operations)
    return session
