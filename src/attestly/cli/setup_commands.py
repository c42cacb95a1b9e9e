"""`attestly init`, `migrate`, `check-config`: setting an installation up and checking it."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from attestly.cli.bootstrap import (
    console,
    data_dir_from_env,
    ensure_data_dir,
    fail,
    is_interactive,
    setup_django,
)

CONFIG_TEMPLATE = """\
# Attestly configuration. Every option can also be set as ATTESTLY_<NAME> in the environment.
# See docs/configuration.md for the full list.
[attestly]
# database_url = "postgres://attestly@127.0.0.1:5432/attestly"
# host = "127.0.0.1"
# port = 8000
# base_url = "https://grc.example.com"
"""


def migrate_and_sync() -> list[str]:
    """Apply migrations (all or none) and load the catalog. Returns what happened."""
    from attestly.core.migrating import MigrationFailed, safe_migrate
    from attestly.frameworks.actions import do_sync_catalog
    from attestly.frameworks.catalog import CatalogError
    from attestly.frameworks.catalog.loader import shipped_catalog

    try:
        applied = safe_migrate()
    except MigrationFailed as exc:
        raise fail(str(exc)) from None
    try:
        do_sync_catalog(actor=None, catalog=shipped_catalog())
    except CatalogError as exc:
        raise fail(f"catalog: {exc}") from None
    notes = [f"applied {len(applied)} migrations" if applied else "database schema up to date"]
    from attestly.frameworks.models import Framework

    loaded = ", ".join(Framework.objects.order_by("slug").values_list("slug", flat=True))
    notes.append(f"catalog loaded: {loaded}")
    return notes


def ensure_evidence_key() -> str:
    """Make the installation's Ed25519 evidence signing key (0600) unless it exists."""
    from attestly.evidence.actions import ensure_signing_key

    key, created = ensure_signing_key()
    verb = "created" if created else "kept existing"
    return f"{verb} evidence signing key ed25519:{key.key_id} (mode 0600)"


def init(
    admin_username: str = typer.Option("admin", help="User name of the first admin."),
    admin_email: str = typer.Option("admin@localhost", help="Email of the first admin."),
    admin_password_file: Path | None = typer.Option(
        None, help="Read the admin password from this file instead of asking."
    ),
) -> None:
    """Create the data directory, key, config, database and first admin. Never overwrites."""
    data_dir = data_dir_from_env()
    for note in ensure_data_dir(data_dir):
        console.print(f"• {note}")
    config = data_dir / "attestly.toml"
    if config.exists():
        console.print(f"• kept existing config {config}")
    else:
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
        console.print(f"• wrote config {config}")
    setup_django()
    for note in migrate_and_sync():
        console.print(f"• {note}")
    console.print(f"• {ensure_evidence_key()}")
    from attestly.accounts.models import User

    if User.objects.filter(is_superuser=True).exists():
        console.print("• kept existing admin user")
        return
    generated = False
    if admin_password_file is not None:
        try:
            password = admin_password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise fail(
                f"--admin-password-file: cannot read {admin_password_file}: {exc.strerror}"
            ) from None
    elif is_interactive():
        password = typer.prompt(
            "Password for the first admin", hide_input=True, confirmation_prompt=True
        )
    else:
        password, generated = secrets.token_urlsafe(18), True
    from django.core.exceptions import ValidationError

    from attestly.accounts.actions import do_create_user

    try:
        do_create_user(
            actor=None,
            username=admin_username,
            email=admin_email,
            password=password,
            is_superuser=True,
        )
    except ValidationError as exc:
        raise fail("admin user: " + " ".join(exc.messages)) from None
    console.print(f"• created admin user [bold]{admin_username}[/]")
    if generated:
        console.print(f"  password (shown once): [bold]{password}[/]")


def migrate() -> None:
    """Apply database migrations: all of them or, on failure, none."""
    setup_django()
    for note in migrate_and_sync():
        console.print(f"• {note}")


def check_config() -> None:
    """Validate the configuration and reach the database. Exits non-zero on any problem."""
    from attestly.conf.options import OptionsError, load_options, resolve_secret_key

    try:
        options = load_options()
        resolve_secret_key(options)
    except OptionsError as exc:
        raise fail(f"configuration: {exc}") from None
    from rich.table import Table

    table = Table(title="Effective options", header_style="bold")
    table.add_column("option")
    table.add_column("value", overflow="fold")
    for name, value in options.model_dump().items():
        shown = "••••••" if name in {"secret_key"} and value else value
        if name == "database_url" and value:
            shown = _mask_url(str(value))
        table.add_row("ATTESTLY_" + name.upper(), str(shown))
    console.print(table)
    setup_django()
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as exc:
        raise fail(f"database: cannot connect ({exc})") from None
    from attestly.core.migrating import pending_migrations

    pending = pending_migrations()
    if pending:
        raise fail(f"database: {len(pending)} migrations not applied; run `attestly migrate`")
    console.print(f"[green]ok[/]: configuration valid, database reachable ({connection.vendor})")


def _mask_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":••••••@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
