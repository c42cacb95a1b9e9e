"""`attestly scope show|set|exclude|include`: which frameworks and categories a workspace is
audited against, and which criteria it declares not applicable."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from attestly.cli.bootstrap import console, fail, setup_django
from attestly.cli.output import Format, emit

if TYPE_CHECKING:
    from attestly.core.models import Workspace
    from attestly.frameworks.models import Criterion, Framework

app = typer.Typer(
    help="Frameworks, categories in scope and not-applicable criteria.", no_args_is_help=True
)

WORKSPACE_OPT = typer.Option(..., "--workspace", "-w", help="Workspace id, e.g. demo")
FORMAT_OPT = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")


def workspace_or_fail(slug: str) -> Workspace:
    from attestly.core.models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise fail(f"no workspace {slug!r}")
    return workspace


def framework_or_fail(slug: str) -> Framework:
    from attestly.frameworks.models import Framework

    framework = Framework.objects.filter(slug=slug).first()
    if framework is None:
        known = ", ".join(Framework.objects.values_list("slug", flat=True))
        raise fail(f"unknown framework {slug!r}; known: {known}")
    return framework


def _criterion_or_fail(key: str) -> Criterion:
    from attestly.frameworks.models import Criterion

    found = Criterion.objects.filter(key=key if ":" in key else f"soc2:{key}").first()
    if found is None:
        raise fail(f"unknown criterion {key!r}; use a key such as soc2:P3.2")
    return found


@app.command("show")
def show(
    workspace: str = WORKSPACE_OPT,
    framework: str | None = typer.Option(None, "--framework", help="e.g. soc2"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Adopted frameworks with their categories in scope and not-applicable criteria."""
    setup_django()
    from attestly.controls.models import Control
    from attestly.readiness.models import CriterionExclusion
    from attestly.readiness.queries import list_adoptions

    ws = workspace_or_fail(workspace)
    rows = []
    for adoption in list_adoptions([ws.pk], framework):
        cats = sorted(adoption.categories.all(), key=lambda c: c.position)
        excluded = CriterionExclusion.objects.filter(
            workspace=ws, criterion__framework=adoption.framework
        ).select_related("criterion")
        rows.append(
            {
                "framework": adoption.framework.slug,
                "categories": [c.slug for c in cats],
                "criteria_in_scope": adoption.framework.criteria.filter(category__in=cats).count(),
                "controls": Control.objects.filter(
                    workspace=ws,
                    retired_at__isnull=True,
                    mappings__criterion__framework=adoption.framework,
                    mappings__criterion__category__in=cats,
                )
                .distinct()
                .count(),
                "not_applicable": [f"{e.criterion.ref}: {e.reason}" for e in excluded],
            }
        )
    if not rows:
        raise fail(
            f"{workspace} has adopted no framework"
            + (f" named {framework!r}" if framework else "")
            + "; run `attestly scope set`",
            code=1,
        )
    emit(
        rows,
        fmt,
        columns=["framework", "categories", "criteria_in_scope", "controls", "not_applicable"],
        title=f"Scope of {ws.name}",
    )


@app.command("set")
def set_scope(
    workspace: str = WORKSPACE_OPT,
    framework: str = typer.Option(..., "--framework", help="e.g. soc2"),
    categories: str | None = typer.Option(
        None,
        "--categories",
        help="Comma-separated, e.g. security,availability. Security is always in scope; "
        "left out, an adopted framework keeps its scope.",
    ),
) -> None:
    """Adopt a framework, or change its categories in scope; adds the library's controls."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.core.models import AuditEntry
    from attestly.readiness.actions import do_adopt_framework

    ws = workspace_or_fail(workspace)
    fw = framework_or_fail(framework)
    wanted = [c.strip() for c in categories.split(",") if c.strip()] if categories else None
    try:
        adoption = do_adopt_framework(actor=None, workspace=ws, framework=fw, categories=wanted)
    except ValidationError as exc:
        raise fail("; ".join(exc.messages)) from None
    entry = AuditEntry.objects.filter(
        workspace=ws, object_id=str(adoption.pk), object_type="readiness.frameworkadoption"
    ).last()
    after = (entry.after if entry is not None else None) or {}
    cats = ", ".join(c.slug for c in sorted(adoption.categories.all(), key=lambda c: c.position))
    console.print(
        f"[green]ok[/]: {ws.slug} · {fw.slug} in scope: {cats}; "
        f"{len(after.get('controls_created', []))} controls created, "
        f"{after.get('controls_reused', 0)} reused",
        highlight=False,
    )


@app.command("exclude")
def exclude(
    workspace: str = WORKSPACE_OPT,
    criterion: str = typer.Option(..., "--criterion", help="e.g. soc2:P3.2"),
    reason: str = typer.Option(..., "--reason", help="Why it does not apply (DC 8)"),
) -> None:
    """Declare a criterion not applicable, with the reason the system description gives."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.readiness.actions import do_exclude_criterion

    ws = workspace_or_fail(workspace)
    found = _criterion_or_fail(criterion)
    try:
        do_exclude_criterion(actor=None, workspace=ws, criterion=found, reason=reason)
    except ValidationError as exc:
        raise fail("; ".join(exc.messages)) from None
    console.print(f"[green]ok[/]: {found.key} is not applicable in {ws.slug}", highlight=False)


@app.command("include")
def include(
    workspace: str = WORKSPACE_OPT,
    criterion: str = typer.Option(..., "--criterion", help="e.g. soc2:P3.2"),
) -> None:
    """Withdraw a not-applicable declaration."""
    setup_django()
    from attestly.readiness.actions import do_include_criterion
    from attestly.readiness.models import CriterionExclusion

    ws = workspace_or_fail(workspace)
    found = _criterion_or_fail(criterion)
    exclusion = CriterionExclusion.objects.filter(workspace=ws, criterion=found).first()
    if exclusion is None:
        raise fail(f"{found.key} is not declared not applicable in {ws.slug}", code=1)
    do_include_criterion(actor=None, exclusion=exclusion)
    console.print(f"[green]ok[/]: {found.key} counts again in {ws.slug}", highlight=False)
