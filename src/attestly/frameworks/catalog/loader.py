"""Load, validate and cross-check catalog files into one immutable `Catalog`."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from attestly.frameworks.catalog.control_schema import (
    ControlLibraryFile,
    ControlSpec,
    DescriptionCriteriaFile,
    DescriptionCriteriaSpec,
)
from attestly.frameworks.catalog.errors import CatalogError
from attestly.frameworks.catalog.schema import CriterionSpec, FrameworkFile, FrameworkSpec

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
MAX_FILE_BYTES = 20 * 1024 * 1024

T = TypeVar("T", bound=BaseModel)

try:  # the C loader is ~10x faster; fall back when libyaml is missing
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YamlLoader = yaml.SafeLoader


@dataclass(frozen=True)
class Catalog:
    """Everything the shipped and extra catalog files define, cross-checked."""

    frameworks: dict[str, FrameworkSpec]
    controls: dict[str, ControlSpec]
    description_criteria: dict[str, DescriptionCriteriaSpec]
    sources: dict[str, str] = field(default_factory=dict)  # "framework:soc2" -> file path

    @functools.cached_property
    def framework_hashes(self) -> dict[str, str]:
        """SHA-256 of each framework's canonical content, computed once per loaded catalog."""
        from attestly.core.canonical import canonical_json, sha256_hex

        return {
            fid: sha256_hex(canonical_json(spec.model_dump(mode="json")))
            for fid, spec in self.frameworks.items()
        }

    def framework(self, framework_id: str) -> FrameworkSpec:
        try:
            return self.frameworks[framework_id]
        except KeyError:
            known = ", ".join(sorted(self.frameworks))
            raise KeyError(f"unknown framework {framework_id!r}; known: {known}") from None

    def criteria(self, framework_id: str) -> list[CriterionSpec]:
        return list(self.framework(framework_id).criteria)


def _read_yaml(path: Path) -> Any:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CatalogError(path, "-", "-", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            path, "-", "-", f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from exc
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "-"
        raise CatalogError(
            path, where, "-", f"not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc


def _entry_label(data: Any, loc: Sequence[int | str]) -> tuple[str, str]:
    """Turn a pydantic error location into (entry, field), naming entries by their id."""
    entry_parts: list[str] = []
    node = data
    last_entry_index = -1
    for i, part in enumerate(loc):
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            entry_parts[-1:] = [
                f"{entry_parts[-1] if entry_parts else ''}[{part}]"
                + (f" ({ident})" if ident else "")
            ]
            last_entry_index = i
        elif isinstance(node, dict) and part in node:
            node = node[part]
            entry_parts.append(str(part))
        else:
            entry_parts.append(str(part))
    if last_entry_index < 0:
        return "-", ".".join(str(p) for p in loc) or "-"
    entry = ".".join(entry_parts[: _entry_count(loc, last_entry_index)])
    field_name = ".".join(str(p) for p in loc[last_entry_index + 1 :]) or "-"
    return entry, field_name


def _entry_count(loc: Sequence[int | str], last_entry_index: int) -> int:
    # parts before the last list index collapse list indices into their key
    return sum(1 for p in loc[: last_entry_index + 1] if not isinstance(p, int))


def _validate(model: type[T], data: Any, path: Path) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        entry, field_name = _entry_label(data, err["loc"])
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise CatalogError(path, entry, field_name, err["msg"] + more) from exc


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(ids).items() if n > 1)


def check_framework(spec: FrameworkSpec, path: Path) -> None:
    """Cross-references and counts that a schema cannot express."""
    for kind, ids in (
        ("categories", [c.id for c in spec.categories]),
        ("groups", [g.id for g in spec.groups]),
        ("criteria", [c.id for c in spec.criteria]),
    ):
        dups = _duplicates(ids)
        if dups:
            raise CatalogError(path, f"{kind} ({dups[0]})", "id", f"duplicate id {dups[0]!r}")
    categories = {c.id for c in spec.categories}
    groups = {g.id for g in spec.groups}
    for g in spec.groups:
        if g.parent is not None and g.parent not in groups:
            raise CatalogError(path, f"groups ({g.id})", "parent", f"unknown group {g.parent!r}")
        if g.category is not None and g.category not in categories:
            raise CatalogError(
                path, f"groups ({g.id})", "category", f"unknown category {g.category!r}"
            )
    pof_ids: list[str] = []
    for c in spec.criteria:
        if c.group not in groups:
            raise CatalogError(path, f"criteria ({c.id})", "group", f"unknown group {c.group!r}")
        if c.category not in categories:
            raise CatalogError(
                path, f"criteria ({c.id})", "category", f"unknown category {c.category!r}"
            )
        for p in c.points_of_focus:
            if not p.id.startswith(c.id + "."):
                raise CatalogError(
                    path,
                    f"criteria ({c.id}).points_of_focus ({p.id})",
                    "id",
                    f"a point of focus id must start with {c.id}.",
                )
            pof_ids.append(p.id)
    dups = _duplicates(pof_ids)
    if dups:
        raise CatalogError(path, f"points_of_focus ({dups[0]})", "id", f"duplicate id {dups[0]!r}")
    if spec.expected_counts is not None:
        if len(spec.criteria) != spec.expected_counts.criteria:
            raise CatalogError(
                path,
                "framework",
                "expected_counts.criteria",
                f"declares {spec.expected_counts.criteria} criteria, "
                f"the file has {len(spec.criteria)}",
            )
        if len(pof_ids) != spec.expected_counts.points_of_focus:
            raise CatalogError(
                path,
                "framework",
                "expected_counts.points_of_focus",
                f"declares {spec.expected_counts.points_of_focus} points of focus, "
                f"the file has {len(pof_ids)}",
            )


def check_controls(
    controls: list[tuple[ControlSpec, Path]], frameworks: dict[str, FrameworkSpec]
) -> None:
    seen: dict[str, Path] = {}
    criterion_ids = {fid: {c.id for c in f.criteria} for fid, f in frameworks.items()}
    for control, path in controls:
        if control.id in seen:
            raise CatalogError(
                path,
                f"controls ({control.id})",
                "id",
                f"duplicate id {control.id!r} (also in {seen[control.id].name})",
            )
        seen[control.id] = path
        if "soc2" in frameworks and not control.maps.get("soc2"):
            raise CatalogError(
                path,
                f"controls ({control.id})",
                "maps.soc2",
                "a control must meet at least one SOC 2 criterion",
            )
        for fid, targets in control.maps.items():
            if fid not in criterion_ids:
                raise CatalogError(
                    path, f"controls ({control.id})", f"maps.{fid}", f"unknown framework {fid!r}"
                )
            for target in targets:
                if target not in criterion_ids[fid]:
                    raise CatalogError(
                        path,
                        f"controls ({control.id})",
                        f"maps.{fid}.{target}",
                        f"unknown {fid} criterion {target!r}",
                    )


def _catalog_files(dirs: Sequence[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    frameworks: list[Path] = []
    controls: list[Path] = []
    description: list[Path] = []
    for base in dirs:
        if not base.is_dir():
            raise CatalogError(base, "-", "-", "catalog directory does not exist")
        for path in sorted(base.rglob("*.yaml")):
            rel = path.relative_to(base).parts
            if rel[0] == "controls":
                controls.append(path)
            elif rel[0] == "frameworks":
                frameworks.append(path)
            elif rel[0] == "description":
                description.append(path)
    return frameworks, controls, description


def load_catalog(extra_dirs: Sequence[Path] = (), *, base_dir: Path = DATA_DIR) -> Catalog:
    """Load every catalog file. Raises CatalogError at the first problem; loads nothing then."""
    fw_files, control_files, dc_files = _catalog_files([base_dir, *extra_dirs])
    frameworks: dict[str, FrameworkSpec] = {}
    sources: dict[str, str] = {}
    for path in fw_files:
        spec = _validate(FrameworkFile, _read_yaml(path), path).framework
        check_framework(spec, path)
        if spec.id in frameworks:
            raise CatalogError(
                path,
                "framework",
                "id",
                f"framework {spec.id!r} is also defined in {sources['framework:' + spec.id]}",
            )
        frameworks[spec.id] = spec
        sources["framework:" + spec.id] = str(path)
    controls: list[tuple[ControlSpec, Path]] = []
    for path in control_files:
        lib = _validate(ControlLibraryFile, _read_yaml(path), path)
        controls.extend((c, path) for c in lib.controls)
    check_controls(controls, frameworks)
    sources.update(("control:" + c.id, str(path)) for c, path in controls)
    dcs: dict[str, DescriptionCriteriaSpec] = {}
    for path in dc_files:
        dc = _validate(DescriptionCriteriaFile, _read_yaml(path), path).description_criteria
        dcs[dc.id] = dc
    return Catalog(
        frameworks=frameworks,
        controls={c.id: c for c, _ in controls},
        description_criteria=dcs,
        sources=sources,
    )


@functools.cache
def shipped_catalog() -> Catalog:
    """The catalog with the configured extra directories, loaded once per process."""
    from attestly.conf.options import load_options

    return load_catalog(load_options().extra_catalog_dirs)
