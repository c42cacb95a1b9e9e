"""`attestly audit verify`: recompute the audit log's hash chains."""

from __future__ import annotations

import typer

from attestly.cli.bootstrap import console, err_console, fail, setup_django

app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Workspace slug; default: every chain"
    ),
) -> None:
    """Recompute every entry's hash and link. Exits 1 naming the first broken entry."""
    setup_django()
    from attestly.core.audit import verify_all
    from attestly.core.models import Workspace

    ws = None
    if workspace is not None:
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise fail(f"no workspace {workspace!r}")
    checked, breaks = verify_all(ws)
    if breaks:
        err_console.print(
            f"[bold red]audit log broken[/]: first break at {breaks[0]}", highlight=False
        )
        for b in breaks:
            err_console.print(f"  • {b}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]ok[/]: {checked} audit entries verified, chains intact")
