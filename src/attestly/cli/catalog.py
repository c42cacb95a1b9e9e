"""`attestly catalog …`: read the shipped catalog straight from its files, no server needed."""

from __future__ import annotations

import json
import sys
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
