"""`attestly readiness`: how ready a workspace is, per framework, category and criterion."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from attestly.cli.bootstrap import fail, setup_django


class ReadinessFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FORMAT_OPT = typer.Option(ReadinessFormat.TABLE, "--format", "-f", help="table or json")
STYLE = {"met": "green", "partly_met": "yellow", "not_met": "red", "not_applicable": "dim"}


def readiness(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Workspace id; default: every workspace"
    ),
    framework: str | None = typer.Option(None, "--framework", help="e.g. soc2"),
    fmt: ReadinessFormat = FORMAT_OPT,
    record: bool = typer.Option(
        False, "--record", help="Keep the scores as today's snapshot (run daily)."
    ),
) -> None:
    """Readiness per framework, category and criterion (met, partly met, not met, n/a)."""
    setup_django()
    from attestly.cli.scope import workspace_or_fail
    from attestly.core.models import Workspace
    from attestly.readiness.actions import do_record_readiness
    from attestly.readiness.api.serializers import readiness_payload
    from attestly.readiness.queries import compute_readiness, list_adoptions

    ids: Any = (
        Workspace.objects.values("pk") if workspace is None else [workspace_or_fail(workspace).pk]
    )
    adoptions = list(list_adoptions(ids, framework))
    if not adoptions:
        raise fail("no adopted framework matches; run `attestly scope set` first", code=1)
    payloads = []
    for adoption in adoptions:
        result = compute_readiness(adoption)
        if record:
            do_record_readiness(
                actor=None,
                workspace=adoption.workspace,
                framework=adoption.framework,
                score=result.score,
            )
        payloads.append(readiness_payload(result))
    if fmt == ReadinessFormat.JSON:
        sys.stdout.write(json.dumps(payloads, indent=2) + "\n")
        return
    _print_tables(payloads, detail=framework is not None)


def _row(label: str, score: float | None, counts: dict[str, int]) -> list[str]:
    shown = "-" if score is None else f"{score}%"
    return [label, shown, *(str(counts[k]) for k in STYLE)]


def _print_tables(payloads: list[dict[str, Any]], *, detail: bool) -> None:
    """One table: each framework, then its categories indented under it; criteria if asked."""
    console = Console()
    summary = Table(title="Readiness", header_style="bold")
    summary.add_column("workspace · framework / category")
    for col in ("score", "met", "partly met", "not met", "n/a"):
        summary.add_column(col, justify="right", no_wrap=True)
    for p in payloads:
        summary.add_row(
            *_row(f"[bold]{p['workspace']} · {p['framework']}[/]", p["score"], p["counts"])
        )
        for cat in p["categories"]:
            summary.add_row(*_row(f"  {cat['name']}", cat["score"], cat["counts"]))
    console.print(summary)
    if not detail:
        return
    for p in payloads:
        table = Table(title=f"{p['workspace']} · {p['framework']} criteria", header_style="bold")
        for col in ("criterion", "category", "status", "score", "controls"):
            table.add_column(col, overflow="fold")
        for row in p["criteria"]:
            states = row["controls"].values()
            done = sum(1 for s in states if s == "implemented")
            counted = sum(1 for s in states if s != "excluded")
            score = "-" if row["score"] is None else f"{row['score']}%"
            table.add_row(
                row["ref"],
                row["category"],
                f"[{STYLE[row['status']]}]{row['status']}[/]",
                score,
                f"{done}/{counted} implemented",
            )
        console.print(table)
