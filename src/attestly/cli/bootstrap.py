"""Starting Django from the CLI, with configuration errors reported plainly."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    # Messages quote user data (paths, patterns like [a-z]): print them as text, not markup.
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    return typer.Exit(code)


def setup_django() -> None:
    """Configure and start Django once, exiting with a named option on a bad configuration."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attestly.conf.settings")
    from django.apps import apps

    if apps.ready:
        return
    from attestly.checks.metadata import CheckDefinitionError
    from attestly.conf.options import OptionsError

    try:
        import django

        django.setup()
    except OptionsError as exc:
        raise fail(f"configuration: {exc}") from None
    except CheckDefinitionError as exc:  # a bad check (e.g. in ATTESTLY_CHECKS_DIRS) at start-up
        raise fail(f"checks: {exc}") from None


def ensure_data_dir(data_dir: Path) -> list[str]:
    """Create the data directory and secret key if missing. Never overwrites. Returns notes."""
    notes = []
    if not data_dir.exists():
        data_dir.mkdir(parents=True, mode=0o700)
        notes.append(f"created data directory {data_dir}")
    key_path = data_dir / "secret_key"
    if key_path.exists():
        notes.append(f"kept existing secret key {key_path}")
    else:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        notes.append(f"created secret key {key_path} (mode 0600)")
    return notes


def data_dir_from_env() -> Path:
    return Path(os.environ.get("ATTESTLY_DATA_DIR") or ".attestly")


def is_interactive() -> bool:
    return sys.stdin.isatty()
