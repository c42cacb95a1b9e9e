"""Migrations that never leave the database half-upgraded.

PostgreSQL: the whole plan runs in one transaction (DDL is transactional there).
SQLite: a consistent copy is taken with the online backup API first and restored on failure.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingMigration:
    app: str
    name: str

    def __str__(self) -> str:
        return f"{self.app}.{self.name}"


def pending_migrations() -> list[PendingMigration]:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    return [PendingMigration(m.app_label, m.name) for m, backwards in plan if not backwards]


class MigrationFailed(Exception):
    """A migration failed; the database was put back as it was."""


def _sqlite_path() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    return None if name in ("", ":memory:") or name.startswith("file:") else Path(name)


def _backup_sqlite(path: Path) -> Path:
    backup = path.with_name(path.name + ".pre-migrate")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(backup)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return backup


def _restore_sqlite(path: Path, backup: Path) -> None:
    connections.close_all()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
    shutil.copyfile(backup, path)


def safe_migrate(verbosity: int = 0) -> list[PendingMigration]:
    """Apply every pending migration, or none. Returns what was applied."""
    pending = pending_migrations()
    if not pending:
        return []
    out = StringIO()
    path = _sqlite_path()
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                call_command("migrate", interactive=False, verbosity=verbosity, stdout=out)
        except Exception as exc:
            raise MigrationFailed(f"migration failed and was rolled back: {exc}") from exc
        return pending
    backup = _backup_sqlite(path) if path is not None and path.exists() else None
    try:
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=out)
    except Exception as exc:
        if backup is not None and path is not None:
            _restore_sqlite(path, backup)
            raise MigrationFailed(
                f"migration failed; the database was restored from {backup.name}: {exc}"
            ) from exc
        raise MigrationFailed(f"migration failed on a new database: {exc}") from exc
    if backup is not None:
        backup.unlink()
    return pending
