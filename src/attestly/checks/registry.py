"""Finding checks and holding them in a registry that is frozen after start-up.

A check is a folder `<check_id>/` holding `<check_id>.yaml` (metadata, see `metadata.py`) and
either `<check_id>.py` with a pure `evaluate` or a declarative `rule:` in the YAML. Packages of
check folders are declared as entry points in the group `attestly.checks`; Attestly's own
built-in checks are found the same way. Directories named by the `checks_dirs` option add
declarative checks only (YAML files, no code is imported from them).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from attestly.checks.declarative import compile_rule
from attestly.checks.metadata import (
    CheckDefinitionError,
    CheckMetadata,
    Mode,
    Scope,
    check_against_catalog,
    parse_metadata,
    read_yaml,
)
from attestly.frameworks.catalog.loader import Catalog

ENTRY_POINT_GROUP = "attestly.checks"
log = logging.getLogger(__name__)


class RegistryFrozenError(RuntimeError):
    """Raised when a check is registered after start-up."""


@dataclass(frozen=True)
class Check:
    """A registered check: its metadata, its evaluate function and where it came from.

    `evaluate` takes `(item, ctx)` for resource checks (or `(items, ctx)` for workspace
    checks); a Python check written as `evaluate(item)` is adapted once at registration.
    """

    meta: CheckMetadata
    evaluate: Callable[[Any, Any], Any]
    origin: str
    declarative: bool
    criteria: tuple[str, ...]
    source: str = ""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def controls(self) -> tuple[str, ...]:
        return tuple(self.meta.controls)

    @property
    def scheduled(self) -> bool:
        return self.meta.mode == Mode.SCHEDULED


class CheckRegistry:
    """Checks by id. Filled at start-up, then frozen; reads need no lock after that."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self._frozen = False
        self._lock = threading.Lock()

    def register(self, check: Check) -> None:
        with self._lock:
            if self._frozen:
                raise RegistryFrozenError(
                    f"cannot register check {check.id!r}: the registry is frozen after start-up"
                )
            if check.id in self._checks:
                raise CheckDefinitionError(
                    f"{check.origin}: check id {check.id!r} is already "
                    f"defined by {self._checks[check.id].origin}"
                )
            self._checks[check.id] = check

    def freeze(self) -> None:
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def get(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            raise KeyError(f"no check {check_id!r}") from None

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def __iter__(self) -> Iterator[Check]:
        return iter(sorted(self._checks.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._checks)


def _adapt(fn: Callable[..., Any], where: str) -> Callable[[Any, Any], Any]:
    """Accept `evaluate(item)` as well as `evaluate(item, ctx)`."""
    try:
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError) as exc:
        raise CheckDefinitionError(f"{where}: evaluate has no readable signature") from exc
    if len(params) == 2:
        return fn
    if len(params) == 1:

        def evaluate(item: Any, ctx: Any) -> Any:
            return fn(item)

        evaluate.__wrapped__ = fn  # type: ignore[attr-defined]
        return evaluate
    raise CheckDefinitionError(f"{where}: evaluate must take (item) or (item, ctx)")


def build_check(
    data: Any,
    catalog: Catalog,
    where: str,
    *,
    code: ModuleType | None = None,
    folder_name: str | None = None,
    allow_code: bool = True,
) -> Check:
    """Validate metadata and attach its evaluate function (from code or a compiled rule)."""
    meta = parse_metadata(data, where)
    if folder_name is not None and meta.id != folder_name:
        raise CheckDefinitionError(
            f"{where}: id {meta.id!r} must equal the folder name {folder_name!r}"
        )
    check_against_catalog(meta, catalog, where)
    criteria = tuple(meta.criteria_with_controls(catalog))
    if meta.rule is not None:
        if code is not None:
            raise CheckDefinitionError(f"{where}: has both a rule and {meta.id}.py; keep one")
        if meta.scope != Scope.RESOURCE:
            raise CheckDefinitionError(
                f"{where}: declarative rules judge one resource at a time; scope must be resource"
            )
        fn, source = compile_rule(meta.id, meta.rule, where)
        return Check(
            meta=meta, evaluate=fn, origin=where, declarative=True, criteria=criteria, source=source
        )
    if code is None or not allow_code:
        raise CheckDefinitionError(f"{where}: no `rule:` and no {meta.id}.py with evaluate")
    evaluate = getattr(code, "evaluate", None)
    if not callable(evaluate):
        raise CheckDefinitionError(f"{where}: {code.__name__} has no evaluate function")
    return Check(
        meta=meta,
        evaluate=_adapt(evaluate, where),
        origin=where,
        declarative=False,
        criteria=criteria,
    )


def checks_in_package(package: ModuleType, catalog: Catalog) -> list[Check]:
    """Every `<id>/<id>.yaml` folder directly under a package, prowler style."""
    files = getattr(package, "__path__", None)
    if not files:
        raise CheckDefinitionError(f"{package.__name__}: a check entry point must be a package")
    found: list[Check] = []
    for base in map(Path, files):
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            yaml_path = folder / f"{folder.name}.yaml"
            if not yaml_path.is_file():
                continue
            code = None
            if (folder / f"{folder.name}.py").is_file():
                code = importlib.import_module(f"{package.__name__}.{folder.name}.{folder.name}")
            found.append(
                build_check(
                    read_yaml(yaml_path),
                    catalog,
                    str(yaml_path),
                    code=code,
                    folder_name=folder.name,
                )
            )
    return found


def checks_in_directory(directory: Path, catalog: Catalog) -> list[Check]:
    """Declarative checks a user keeps in a directory: every *.yaml below it, one per file."""
    if not directory.is_dir():
        raise CheckDefinitionError(f"{directory}: checks directory does not exist")
    found = []
    for path in sorted(directory.rglob("*.yaml")):
        found.append(build_check(read_yaml(path), catalog, str(path), allow_code=False))
    return found


def discover(
    catalog: Catalog, extra_dirs: Iterable[Path] = (), entry_points: Iterable[Any] | None = None
) -> CheckRegistry:
    """Load checks from every entry point and extra directory into a new frozen registry."""
    registry = CheckRegistry()
    eps = (
        entry_points
        if entry_points is not None
        else importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
    )
    for ep in sorted(eps, key=lambda e: e.name):
        try:
            package = ep.load()
        except Exception as exc:
            raise CheckDefinitionError(
                f"entry point {ep.name} = {ep.value}: cannot be imported ({exc})"
            ) from exc
        for check in checks_in_package(package, catalog):
            registry.register(check)
    for directory in extra_dirs:
        for check in checks_in_directory(directory, catalog):
            registry.register(check)
    registry.freeze()
    log.debug("checks registered", extra={"count": len(registry)})
    return registry


_registry: CheckRegistry | None = None
_registry_lock = threading.Lock()


def get_registry() -> CheckRegistry:
    """The process's registry, discovered on first use and frozen."""
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                from attestly.conf.options import load_options
                from attestly.frameworks.catalog.loader import shipped_catalog

                _registry = discover(shipped_catalog(), load_options().checks_dirs)
    return _registry
