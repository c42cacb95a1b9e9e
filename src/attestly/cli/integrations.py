"""`attestly connect`, `attestly connections …`, `attestly collect`, `attestly secrets rotate`."""

from __future__ import annotations

import json
import os
import secrets as token_source
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from attestly.cli.bootstrap import console, err_console, fail, is_interactive, setup_django
from attestly.cli.output import Format, emit

if TYPE_CHECKING:
    from attestly.core.models import Workspace
    from attestly.integrations.base import Integration
    from attestly.integrations.models import CollectionRun, Connection

connections_app = typer.Typer(
    help="Configured connections: list, test, remove.", no_args_is_help=True
)
secrets_app = typer.Typer(help="Connection secrets at rest.", no_args_is_help=True)

FORMAT_OPT = typer.Option(Format.TABLE, "--format", "-f", help="table, json or csv")
ACTOR_OPT = typer.Option(None, "--as", help="Username recorded in the audit log as the actor")
SET_OPT = typer.Option([], "--set", help="A config field, key=value (repeat)")
SECRET_OPT = typer.Option([], "--secret", help="A secret field, key=value (repeat)")
SECRET_FILE_OPT = typer.Option(
    [], "--secret-file", help="A secret field read from a file, key=path (repeat)"
)
NEW_KEY_OPT = typer.Option(
    None,
    "--new-key-file",
    help="File holding the new secret key. Default: generate one and write it to the "
    "installation's key file.",
)


def _workspace(slug: str) -> Workspace:
    from attestly.core.models import Workspace

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise fail(f"no workspace {slug!r}")
    return workspace


def _actor(username: str | None) -> Any:
    if username is None:
        return None
    from attestly.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise fail(f"--as: no user {username!r}")
    return user


def _connection(workspace: str, name: str) -> Connection:
    from attestly.integrations.models import Connection

    found = Connection.objects.filter(workspace=_workspace(workspace), name=name).first()
    if found is None:
        raise fail(f"no connection {name!r} in workspace {workspace!r}")
    return found


def _messages(exc: Any) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.message_dict.items())
    return " ".join(map(str, exc.messages))


def _pairs(values: list[str], what: str) -> dict[str, str]:
    found = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise fail(f"{what} {value!r}: use key=value")
        found[key.strip()] = rest
    return found


def _decode(value: str) -> Any:
    """`--set regions=["eu-west-1"]` passes JSON lists and objects; the rest stays text."""
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _prompt_missing(integration: Integration, values: dict[str, Any]) -> None:
    """Ask for each required field not given (on a terminal), secrets without echo."""
    secret_names = set(integration.secret_fields)
    for name, info in integration.config.model_fields.items():
        if name in values or not info.is_required():
            continue
        label = f"{name} ({info.description})" if info.description else name
        values[name] = typer.prompt(label, hide_input=name in secret_names)


def connect(
    integration: str = typer.Argument(..., help="Integration slug (see `connections list`)"),
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace slug"),
    name: str = typer.Option(..., "--name", "-n", help="A name for this connection"),
    set_: list[str] = SET_OPT,
    secret: list[str] = SECRET_OPT,
    secret_file: list[str] = SECRET_FILE_OPT,
    schedule: str | None = typer.Option(None, "--schedule", help="6h, 30m, 1d or cron"),
    test: bool = typer.Option(True, "--test/--no-test", help="Test the connection after"),
    actor: str | None = ACTOR_OPT,
) -> None:
    """Configure an integration in a workspace; asks for missing fields on a terminal."""
    setup_django()
    from django.core.exceptions import ValidationError

    from attestly.integrations.actions import do_create_connection
    from attestly.integrations.registry import get_registry

    registry = get_registry()
    if integration not in registry:
        known = ", ".join(i.slug for i in registry) or "none"
        raise fail(f"no integration {integration!r} (installed: {known})")
    declared = registry.get(integration)
    values: dict[str, Any] = {k: _decode(v) for k, v in _pairs(set_, "--set").items()}
    values.update(_pairs(secret, "--secret"))
    for key, path in _pairs(secret_file, "--secret-file").items():
        try:
            values[key] = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise fail(f"--secret-file {key}: cannot read {path} ({exc.strerror})") from None
    if is_interactive():
        _prompt_missing(declared, values)
    try:
        connection = do_create_connection(
            actor=_actor(actor),
            workspace=_workspace(workspace),
            integration=integration,
            name=name,
            config=values,
            schedule=schedule,
            registry=registry,
        )
    except ValidationError as exc:
        raise fail(_messages(exc)) from None
    console.print(
        f"Connected [bold]{connection.name}[/] ({declared.name}), schedule {connection.schedule}."
    )
    if test:
        _print_test(connection)


def _print_test(connection: Connection) -> bool:
    from attestly.integrations.tasks import test_connection

    result = test_connection(connection)
    colour = "green" if result.ok else "red"
    console.print(f"[{colour}]{result.status.value}[/]: {result.message}", highlight=False)
    return result.ok


@connections_app.command("list")
def list_connections(
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="Workspace slug"),
    fmt: Format = FORMAT_OPT,
) -> None:
    """Connections (of one workspace or all), with their last and next runs."""
    setup_django()
    from attestly.integrations.models import Connection

    query = Connection.objects.select_related("workspace")
    if workspace:
        query = query.filter(workspace=_workspace(workspace))
    rows = [
        {
            "workspace": c.workspace.slug,
            "name": c.name,
            "integration": c.integration,
            "schedule": c.schedule,
            "enabled": c.enabled,
            "last_run": f"{c.last_run_at:%Y-%m-%d %H:%M}" if c.last_run_at else None,
            "last_status": c.last_status or None,
            "next_run": f"{c.next_run_at:%Y-%m-%d %H:%M}" if c.next_run_at else None,
        }
        for c in query
    ]
    emit(
        rows,
        fmt,
        columns=[
            "workspace",
            "name",
            "integration",
            "schedule",
            "enabled",
            "last_run",
            "last_status",
            "next_run",
        ],
        title="Connections",
    )


@connections_app.command("test")
def test_connection_command(
    name: str = typer.Argument(..., help="Connection name"),
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace slug"),
) -> None:
    """Say whether a connection works, and exactly what is wrong when it does not."""
    setup_django()
    if not _print_test(_connection(workspace, name)):
        raise typer.Exit(1)


@connections_app.command("remove")
def remove_connection(
    name: str = typer.Argument(..., help="Connection name"),
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace slug"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask"),
    actor: str | None = ACTOR_OPT,
) -> None:
    """Remove a connection and its secrets (its evidence and runs stay)."""
    setup_django()
    from attestly.integrations.actions import do_delete_connection

    connection = _connection(workspace, name)
    if not yes and is_interactive() and not typer.confirm(f"Remove {name}?"):
        raise typer.Exit(1)
    do_delete_connection(actor=_actor(actor), connection=connection)
    console.print(f"Removed connection {name}.")


def collect(
    connection: str | None = typer.Option(None, "--connection", "-c", help="Connection name"),
    workspace: str | None = typer.Option(None, "--workspace", "-w", help="Workspace slug"),
    actor: str | None = ACTOR_OPT,
) -> None:
    """Collect now (one connection, a workspace's, or all enabled ones) and run their checks."""
    setup_django()
    from attestly.integrations.models import Connection

    query = Connection.objects.select_related("workspace").filter(enabled=True)
    if workspace:
        query = query.filter(workspace=_workspace(workspace))
    if connection:
        query = Connection.objects.filter(name=connection, workspace__in=query.values("workspace"))
    targets = list(query.order_by("workspace__slug", "name"))
    if not targets:
        raise fail("no connection to collect" + (f" named {connection!r}" if connection else ""))
    user = _actor(actor)
    runs = [_collect_one(c, user.pk if user else None) for c in targets]
    for run in runs:
        _print_run(run)
    if any(r.status != "succeeded" for r in runs):
        raise typer.Exit(1)


def _collect_one(connection: Connection, actor_id: int | None) -> CollectionRun:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from attestly.integrations.collection import RunOptions
    from attestly.integrations.registry import get_registry
    from attestly.integrations.tasks import collect_connection

    integration = (
        get_registry().get(connection.integration)
        if (connection.integration in get_registry())
        else None
    )
    total = len(integration.collectors) if integration else 1
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(connection.name, total=total)

        def on_progress(collector: str, finished: bool) -> None:
            if finished:
                progress.advance(task)
            else:
                progress.update(task, description=f"{connection.name}: {collector}")

        run = collect_connection(
            connection.pk, actor_id=actor_id, options=RunOptions(on_progress=on_progress)
        )
        progress.update(task, completed=total, description=connection.name)
    return run


def _print_run(run: CollectionRun) -> None:
    colour = {"succeeded": "green", "partial": "yellow"}.get(run.status, "red")
    results = ", ".join(f"{k} {v}" for k, v in sorted(run.results.items())) or "no results"
    console.print(
        f"{run.connection_name}: [{colour}]{run.status}[/] in {run.duration_ms / 1000:.1f}s, "
        f"{run.resources} resources, {run.evidence_items} evidence items, "
        f"{run.api_calls} API calls; results: {results}",
        highlight=False,
        soft_wrap=True,
    )
    for collector, error in sorted(run.errors.items()):
        console.print(f"  {collector}: {error.get('message', '')}", highlight=False, soft_wrap=True)


@secrets_app.command("rotate")
def rotate(
    new_key_file: Path | None = NEW_KEY_OPT,
    actor: str | None = ACTOR_OPT,
) -> None:
    """Re-encrypt every connection's secrets under a new installation secret key."""
    setup_django()
    from django.conf import settings

    from attestly.integrations.actions import do_rotate_secrets
    from attestly.integrations.secrets import SecretBox, SecretsError, current_box

    options = settings.OPTIONS
    from_env = options.secret_key is not None
    if new_key_file is not None:
        try:
            new_key = new_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise fail(f"--new-key-file: cannot read {new_key_file} ({exc.strerror})") from None
    elif from_env:
        raise fail(
            "the secret key comes from ATTESTLY_SECRET_KEY: write a new key to a file, "
            "pass it as --new-key-file, then set ATTESTLY_SECRET_KEY to it"
        )
    else:
        new_key = token_source.token_urlsafe(48)
    # A generated key is on disk before any secret is sealed with it, so a crash never
    # leaves secrets encrypted under a key nobody has.
    pending = None if from_env or new_key_file else _write_pending(options.secret_key_path, new_key)
    try:
        new = SecretBox(new_key)
        count = do_rotate_secrets(actor=_actor(actor), old=current_box(), new=new)
    except SecretsError as exc:
        if pending is not None:
            pending.unlink()
        raise fail(f"nothing changed: {exc}") from None
    if pending is not None:
        pending.replace(options.secret_key_path)
        console.print(f"Wrote the new key to {options.secret_key_path} (mode 0600).")
    elif from_env:
        console.print("Now set ATTESTLY_SECRET_KEY to the new key and restart Attestly.")
    else:
        console.print(f"Now make {new_key_file} the installation key and restart Attestly.")
    console.print(
        f"Re-encrypted the secrets of {count} connections (key {new.key_id}). "
        "Sessions signed with the old key end at the restart."
    )


def _write_pending(path: Path, key: str) -> Path:
    pending = path.with_suffix(".new")
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return pending
