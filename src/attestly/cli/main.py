"""The `attestly` command line."""

from __future__ import annotations

import typer

from attestly import __version__
from attestly.cli import (
    agent,
    audit,
    catalog,
    readiness,
    run_commands,
    scope,
    setup_commands,
    users,
)
from attestly.cli import checks as checks_cli
from attestly.cli import evidence as evidence_cli
from attestly.cli import integrations as integrations_cli

app = typer.Typer(
    name="attestly",
    help="Attestly: self-hosted SOC 2 compliance. Start with `attestly demo`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(setup_commands.init)
app.command("migrate")(setup_commands.migrate)
app.command("check-config")(setup_commands.check_config)
app.command("serve")(run_commands.serve)
app.command("demo")(run_commands.demo)
app.add_typer(catalog.app, name="catalog")
app.add_typer(audit.app, name="audit")
app.add_typer(scope.app, name="scope")
app.command("readiness")(readiness.readiness)
app.add_typer(evidence_cli.app, name="evidence")
app.add_typer(checks_cli.app, name="checks")
app.command("connect")(integrations_cli.connect)
app.add_typer(integrations_cli.connections_app, name="connections")
app.command("collect")(integrations_cli.collect)
app.add_typer(integrations_cli.secrets_app, name="secrets")
app.command("agent")(agent.agent)
app.command("agent-token")(agent.agent_token)
app.add_typer(users.app, name="users")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"attestly {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Attestly command line."""


@app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (for operators: shell, dbshell, createsuperuser…)."""
    from django.core.management import execute_from_command_line

    from attestly.cli.bootstrap import setup_django

    setup_django()
    execute_from_command_line(["attestly manage", *ctx.args])


def run() -> None:
    app()
