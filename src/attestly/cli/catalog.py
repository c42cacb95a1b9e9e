"""`attestly catalog …`: read the shipped catalog straight from its files, no server needed."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from enum import StrEnum

import typer

from attestly.cli.bootstrap import fail
from attestly.cli.output import Format, emit
from attestly.frameworks.catalog import Catalog, CatalogError
from attestly.frameworks.catalog.loader import shipped_catalog

app = typer.Typer(
    help="Browse frameworks, criteria and points of focus (no server needed).", no_args_is_help=True
)

FORMAT_OPT = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
FRAMEWORK_OPT = typer.Option(
    "soc2", "--framework", help="Framework id (soc2, iso27001, nist-csf, gdpr…) or 'all'"
)
CATEGORY_OPT = typer.Option(None, "--category", help="Category id, e.g. availability")


def _catalog() -> Catalog:
    from attestly.conf.options import OptionsError

    try:
        return shipped_catalog()
    except CatalogError as exc:
        raise fail(f"catalog: {exc}") from None
    except OptionsError as exc:
        raise fail(f"configuration: {exc}") from None


def _frameworks(catalog: Catalog, framework: str | None) -> list[str]:
    if framework is None or framework == "all":
        return sorted(catalog.frameworks)
    if framework not in catalog.frameworks:
        raise fail(
            f"unknown framework {framework!r}; known: {', '.join(sorted(catalog.frameworks))}"
        )
    return [framework]


@app.command("frameworks")
def frameworks(fmt: Format = FORMAT_OPT) -> None:
    """List the frameworks with their counts."""
    catalog = _catalog()
    rows = [
        {
            "id": f.id,
            "name": f.name,
            "version": f.version,
            "publisher": f.publisher,
            "categories": [c.id for c in f.categories],
            "criteria": len(f.criteria),
            "points_of_focus": sum(len(c.points_of_focus) for c in f.criteria),
        }
        for f in (catalog.frameworks[k] for k in sorted(catalog.frameworks))
    ]
    emit(
        rows,
        fmt,
        columns=["id", "name", "version", "publisher", "categories", "criteria", "points_of_focus"],
        title="Frameworks",
    )


@app.command("criteria")
def criteria(
    framework: str | None = FRAMEWORK_OPT,
    category: str | None = CATEGORY_OPT,
    fmt: Format = FORMAT_OPT,
) -> None:
    """List criteria (JSON includes their points of focus)."""
    catalog = _catalog()
    rows = []
    for fid in _frameworks(catalog, framework):
        for c in catalog.frameworks[fid].criteria:
            if category and c.category != category:
                continue
            rows.append(
                {
                    "framework": fid,
                    "id": c.id,
                    "category": c.category,
                    "group": c.group,
                    "coso_principle": c.coso_principle,
                    "title": c.title,
                    "statement": c.statement,
                    "points_of_focus_count": len(c.points_of_focus),
                    "points_of_focus": [
                        p.model_dump(mode="json", exclude_defaults=True) for p in c.points_of_focus
                    ],
                }
            )
    emit(
        rows,
        fmt,
        columns=["framework", "id", "category", "title", "points_of_focus_count"],
        title="Criteria",
    )


@app.command("points-of-focus")
def points_of_focus(
    framework: str | None = FRAMEWORK_OPT,
    criterion: str | None = typer.Option(None, "--criterion", help="Criterion id, e.g. CC6.1"),
    scope: str | None = typer.Option(
        None,
        "--scope",
        help="coso, all, system, availability, confidentiality, processing_integrity or privacy",
    ),
    fmt: Format = FORMAT_OPT,
) -> None:
    """List points of focus with their scope tags."""
    catalog = _catalog()
    rows = []
    for fid in _frameworks(catalog, framework):
        for c in catalog.frameworks[fid].criteria:
            if criterion and c.id != criterion:
                continue
            for p in c.points_of_focus:
                if scope and p.scope != scope:
                    continue
                rows.append(
                    {
                        "framework": fid,
                        "criterion": c.id,
                        "id": p.id,
                        "scope": p.scope.value,
                        "privacy_role": p.privacy_role.value if p.privacy_role else None,
                        "goods_only": p.goods_only,
                        "text": p.text,
                    }
                )
    if criterion and not rows:
        raise fail(f"no points of focus for criterion {criterion!r}")
    emit(
        rows,
        fmt,
        columns=["criterion", "id", "scope", "privacy_role", "text"],
        title="Points of focus",
    )


class SchemaKind(StrEnum):
    FRAMEWORK = "framework"
    CONTROLS = "controls"
    DESCRIPTION = "description"


@app.command("schema")
def schema(
    kind: SchemaKind = typer.Argument(..., help="framework, controls or description"),
) -> None:
    """Print the JSON Schema of a catalog file, for editors and your own frameworks."""
    from attestly.frameworks.catalog.publish import json_schema

    sys.stdout.write(json.dumps(json_schema(kind.value), indent=2) + "\n")


OTHER_FRAMEWORKS = ("iso27001", "nist-csf", "gdpr")


def _refs(targets: Mapping[str, object] | None) -> list[str]:
    return list(targets or {})


@app.command("controls")
def controls(
    framework: str | None = typer.Option(
        None, "--framework", help="Only controls meeting this framework, e.g. iso27001"
    ),
    criterion: str | None = typer.Option(
        None,
        "--criterion",
        help="Only controls meeting this criterion, e.g. CC6.1 or iso27001:A.5.15",
    ),
    family: str | None = typer.Option(None, "--family", help="e.g. access_control"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """List the control library (JSON includes descriptions, evidence, guidance, mappings)."""
    catalog = _catalog()
    if framework == "all":
        framework = None
    if framework is not None:
        _frameworks(catalog, framework)
    crit_fw, _, crit_ref = (criterion or "").rpartition(":")
    rows = []
    for c in catalog.controls.values():
        if framework and not c.maps.get(framework):
            continue
        if family and c.family != family:
            continue
        if criterion and not any(
            crit_ref in targets for fid, targets in c.maps.items() if not crit_fw or fid == crit_fw
        ):
            continue
        rows.append(
            {
                "id": c.id,
                "title": c.title,
                "family": c.family,
                "owner_role": c.owner_role,
                "nature": c.nature.value,
                "frequency": c.frequency.value,
                "soc2": _refs(c.maps.get("soc2")),
                **{fid: _refs(c.maps.get(fid)) for fid in OTHER_FRAMEWORKS},
                "description": c.description,
                "evidence": list(c.evidence),
                "guidance": c.guidance,
                "maps": {
                    fid: {ref: rel.value for ref, rel in t.items()} for fid, t in c.maps.items()
                },
            }
        )
    if (criterion or family) and not rows:
        raise fail("no control matches")
    emit(
        rows,
        fmt,
        columns=["id", "title", "family", "nature", "frequency", "soc2"],
        title=f"Control library ({len(rows)} controls)",
    )


@app.command("mappings")
def mappings(
    control: str | None = typer.Option(None, "--control", help="e.g. AC-01"),
    criterion: str | None = typer.Option(
        None,
        "--criterion",
        help="Show this criterion's counterparts in the other "
        "frameworks, e.g. soc2:CC6.1 or iso27001:A.5.15",
    ),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Control → criteria in SOC 2, ISO 27001, NIST CSF and GDPR; or one criterion's crosswalk."""
    catalog = _catalog()
    if criterion:
        _crosswalk(catalog, criterion, fmt)
        return
    rows = []
    for c in catalog.controls.values():
        if control and c.id != control:
            continue
        row: dict[str, object] = {"control": c.id, "title": c.title}
        for fid in ("soc2", *OTHER_FRAMEWORKS):
            row[fid] = [f"{ref} ({rel.value})" for ref, rel in c.maps.get(fid, {}).items()]
        row["maps"] = {fid: {ref: rel.value for ref, rel in t.items()} for fid, t in c.maps.items()}
        rows.append(row)
    if control and not rows:
        raise fail(f"no control {control!r}")
    emit(
        rows,
        fmt,
        columns=["control", "soc2", *OTHER_FRAMEWORKS],
        title="Control mappings (relationship in brackets)",
    )


def _crosswalk(catalog: Catalog, key: str, fmt: Format) -> None:
    fid, sep, ref = key.partition(":")
    if not sep:
        fid, ref = "soc2", key
    _frameworks(catalog, fid)
    if ref not in {c.id for c in catalog.frameworks[fid].criteria}:
        raise fail(f"unknown {fid} criterion {ref!r}")
    titles = {(f.id, c.id): c.title for f in catalog.frameworks.values() for c in f.criteria}
    found: dict[tuple[str, str], list[str]] = {}
    for c in catalog.controls.values():
        if ref not in c.maps.get(fid, {}):
            continue
        for other, targets in c.maps.items():
            if other == fid:
                continue
            for target, rel in targets.items():
                found.setdefault((other, target), []).append(f"{c.id} ({rel.value})")
    order = {f: i for i, f in enumerate(("soc2", *OTHER_FRAMEWORKS))}
    positions = {
        (f.id, c.id): i for f in catalog.frameworks.values() for i, c in enumerate(f.criteria)
    }
    rows = [
        {"framework": f, "criterion": r, "title": titles[(f, r)], "via": via}
        for (f, r), via in sorted(
            found.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][0], positions[kv[0]])
        )
    ]
    emit(
        rows,
        fmt,
        columns=["framework", "criterion", "title", "via"],
        title=f"Counterparts of {fid}:{ref} through shared controls",
    )
